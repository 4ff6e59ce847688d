package io.weft.api.net;

/**
 * Serves one protocol: called once for every inbound stream negotiated to it. It runs on a transport I/O thread, so
 * it must not block: read and write through the stream's asynchronous methods, or hand the stream to an executor.
 * The handler owns the stream and must close or reset it.
 */
@FunctionalInterface
public interface StreamHandler {
    void handle(Stream stream);
}
