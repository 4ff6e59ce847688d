package io.weft.api.net;

/** A registered handler or subscription; closing it removes the registration. Closing twice does nothing. */
public interface Registration extends AutoCloseable {
    @Override
    void close();
}
