package dev.capstan.node.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Resolves a host name to its addresses; the system resolver unless a test or an embedder supplies another. */
@FunctionalInterface
public interface HostResolver {

    HostResolver SYSTEM = InetAddress::getAllByName;

    InetAddress[] resolve(String host) throws UnknownHostException;
}
