package dev.capstan.run.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Reads a Server-Sent Events stream over real HTTP until the server closes it. */
public final class SseReader {

    /** One event frame: {@code id:}, {@code event:} and the joined {@code data:} lines. */
    public record Frame(String id, String event, String data) {
    }

    /** The response: status, content type, frames and the number of comment lines (keepalives). */
    public record Result(int status, String contentType, List<Frame> frames, String body) {
    }

    private SseReader() {
    }

    public static Result read(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(request::header);
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
        List<Frame> frames = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        String id = null;
        String event = null;
        StringBuilder data = null;
        for (String line : (Iterable<String>) response.body()::iterator) {
            body.append(line).append('\n');
            if (line.isEmpty()) {
                if (data != null) {
                    frames.add(new Frame(id, event, data.toString()));
                }
                id = null;
                event = null;
                data = null;
            } else if (line.startsWith(":")) {
                continue;
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("event:")) {
                event = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).trim());
            }
        }
        return new Result(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), frames, body.toString());
    }
}
