package io.weft.server.auth;

/** Package access for tests in other packages. */
public final class AuthTestAccess {
    private AuthTestAccess() {
    }

    public static boolean isLoopback(String text) {
        return AuthInterceptor.isLoopbackLiteral(text);
    }
}
