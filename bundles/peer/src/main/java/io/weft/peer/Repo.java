package io.weft.peer;

import io.weft.api.InvalidInputException;
import io.weft.api.StorageException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A peer's repository directory: the host identity ({@value #IDENTITY_FILE}) and the embedded store
 * ({@value #STORE_DIR}/). Plain Java, no OSGi: {@link PeerHost} is a thin adapter around it.
 */
public final class Repo {

    /** System property naming the repository directory; {@code bin/weft} sets it from {@code --repo} or {@code WEFT_REPO}. */
    public static final String REPO_PROPERTY = "weft.repo";
    /** Directory name of the default repository, under the user's home directory. */
    public static final String DEFAULT_DIR_NAME = ".weft";
    /** The host identity: the libp2p-marshaled Ed25519 private key. */
    public static final String IDENTITY_FILE = "identity.key";
    /** The embedded store's directory. */
    public static final String STORE_DIR = "store";

    private final Path dir;

    private Repo(Path dir) {
        this.dir = dir;
    }

    /**
     * The repository location: {@code configured} if it is not blank (a leading {@code ~/} means
     * {@code userHome}), else {@code userHome/.weft}. The result is absolute and normalized.
     */
    public static Path location(String configured, String userHome) {
        try {
            Path home = Path.of(userHome == null || userHome.isBlank() ? "." : userHome);
            if (configured == null || configured.isBlank()) {
                return home.resolve(DEFAULT_DIR_NAME).toAbsolutePath().normalize();
            }
            String c = configured.strip();
            Path p;
            if (c.equals("~")) {
                p = home;
            } else if (c.startsWith("~/")) {
                p = home.resolve(c.substring(2));
            } else {
                p = Path.of(c);
            }
            return p.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new InvalidInputException("invalid repository path '" + configured + "': " + e.getReason(), e);
        }
    }

    /** The repository location from the {@value #REPO_PROPERTY} system property, else {@code ~/.weft}. */
    public static Path locationFromSystem() {
        return location(System.getProperty(REPO_PROPERTY), System.getProperty("user.home"));
    }

    /**
     * Opens the repository at {@code dir}, creating the directory (and its parents) if it does not exist.
     *
     * @throws InvalidInputException if {@code dir} exists but is not a directory
     * @throws StorageException if the directory cannot be created or is not writable
     */
    public static Repo open(Path dir) {
        Path d = dir.toAbsolutePath().normalize();
        if (Files.exists(d) && !Files.isDirectory(d)) {
            throw new InvalidInputException("repository path " + d + " exists but is not a directory");
        }
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new StorageException("cannot create repository directory " + d + ": " + e, e);
        }
        if (!Files.isWritable(d)) {
            throw new StorageException("repository directory " + d + " is not writable");
        }
        return new Repo(d);
    }

    /** The repository directory (absolute). */
    public Path dir() {
        return dir;
    }

    /** {@code <repo>/identity.key}. */
    public Path identityFile() {
        return dir.resolve(IDENTITY_FILE);
    }

    /** {@code <repo>/store}: where the embedded store keeps its files. */
    public Path storeDir() {
        return dir.resolve(STORE_DIR);
    }

    /** Loads the host identity, creating and persisting a new one on first use. */
    public IdentityFile identity() {
        return IdentityFile.loadOrCreate(identityFile());
    }

    @Override
    public String toString() {
        return "Repo[" + dir + "]";
    }
}
