package io.weft.api.db;

/** What a write did to one instance; listeners filter on it. Codes match go-threads' patch types. */
public enum ChangeType {
    /** A new instance. */
    CREATE(0),
    /** An existing instance changed. */
    SAVE(1),
    /** An instance removed. */
    DELETE(2);

    private final int code;

    ChangeType(int code) {
        this.code = code;
    }

    /** The go-threads jsonpatcher {@code type} code. */
    public int code() {
        return code;
    }

    /** The type with go-threads code {@code code}, or {@code null} if none. */
    public static ChangeType ofCode(long code) {
        for (ChangeType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
