package dev.capstan.registry.repository;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.OffsetDateTime;

/** One published version of a node pack; the tarball itself is not loaded by list queries. */
@Entity
@Table(name = "pack_versions")
@IdClass(PackVersionEntity.Key.class)
public class PackVersionEntity {

    public record Key(String name, String version) implements Serializable {
        public Key() {
            this(null, null);
        }
    }

    @Id
    public String name;

    @Id
    public String version;

    @Column(name = "tarball_sha256", nullable = false, updatable = false)
    public String tarballSha256;

    @Column(nullable = false)
    public boolean yanked;

    @Column(name = "published_at", nullable = false, updatable = false, insertable = false)
    public OffsetDateTime publishedAt;
}
