package dev.portico.security;

import dev.portico.bytes.ByteStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * An {@code auth_basic_user_file}: {@code user:hash[:comment]} lines, {@code #} comments, read
 * when the configuration loads. The hashes people have: {@code {PLAIN}}, {@code {SHA}},
 * {@code {SSHA}}, Apache MD5 ({@code $apr1$}), MD5-crypt ({@code $1$}), SHA-256/512-crypt
 * ({@code $5$}, {@code $6$}), bcrypt ({@code $2y$}, {@code $2b$}, {@code $2a$}) and traditional
 * DES crypt. Comparisons take the same time whatever the password, and no hash ever reaches a
 * log.
 */
final class HtpasswdFile {
    private final Path path;
    private final Map<String, String> hashes;
    private final IOException failure;

    private HtpasswdFile(Path path, Map<String, String> hashes, IOException failure) {
        this.path = path;
        this.hashes = hashes;
        this.failure = failure;
    }

    static HtpasswdFile read(Path path) {
        try {
            byte[] content = Files.readAllBytes(path);
            Map<String, String> users = new HashMap<>();
            for (String line : ByteStrings.of(content).split("\n")) {
                line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String rest = line.substring(colon + 1);
                int comment = rest.indexOf(':');
                users.putIfAbsent(line.substring(0, colon), comment < 0 ? rest : rest.substring(0, comment));
            }
            return new HtpasswdFile(path, Map.copyOf(users), null);
        } catch (IOException e) {
            return new HtpasswdFile(path, Map.of(), e);
        }
    }

    Path path() {
        return path;
    }

    /** Why the file could not be read, or null. */
    IOException failure() {
        return failure;
    }

    /** The user's hash, or null when the file has no such user. */
    String hash(String user) {
        return hashes.get(user);
    }

    /** True when {@code password} (bytes, as received) matches {@code hash}. */
    static boolean matches(String hash, String password) {
        byte[] pw = ByteStrings.bytes(password);
        try {
            if (hash.startsWith("{PLAIN}")) {
                return same(ByteStrings.bytes(hash.substring(7)), pw);
            }
            if (hash.startsWith("{SHA}")) {
                return same(Base64.getDecoder().decode(hash.substring(5)), sha1(pw, new byte[0]));
            }
            if (hash.startsWith("{SSHA}")) {
                byte[] raw = Base64.getDecoder().decode(hash.substring(6));
                if (raw.length <= 20) {
                    return false;
                }
                byte[] salt = Arrays.copyOfRange(raw, 20, raw.length);
                return same(Arrays.copyOf(raw, 20), sha1(pw, salt));
            }
            if (hash.startsWith("$apr1$")) {
                return same(ascii(hash), ascii(Md5Crypt.apr1Crypt(pw, hash)));
            }
            if (hash.startsWith("$1$")) {
                return same(ascii(hash), ascii(Md5Crypt.md5Crypt(pw, hash)));
            }
            if (hash.startsWith("$5$")) {
                return same(ascii(hash), ascii(Sha2Crypt.sha256Crypt(pw, hash)));
            }
            if (hash.startsWith("$6$")) {
                return same(ascii(hash), ascii(Sha2Crypt.sha512Crypt(pw, hash)));
            }
            if (hash.startsWith("$2y$") || hash.startsWith("$2b$") || hash.startsWith("$2a$")) {
                return OpenBSDBCrypt.checkPassword(hash, pw);
            }
            if (hash.length() == 13) {
                return same(ascii(hash), ascii(UnixCrypt.crypt(pw, hash)));
            }
        } catch (IllegalArgumentException e) {
            // a malformed hash matches nothing
        }
        return false;
    }

    private static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] sha1(byte[] password, byte[] salt) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-1");
            d.update(password);
            d.update(salt);
            return d.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
