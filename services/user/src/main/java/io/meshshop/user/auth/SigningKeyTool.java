package io.meshshop.user.auth;

import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;

/**
 * Creates and rotates the signing key file, for the cluster's Secret:
 * <pre>
 * java -cp services/user/target/user.jar io.meshshop.user.auth.SigningKeyTool new FILE
 * java -cp services/user/target/user.jar io.meshshop.user.auth.SigningKeyTool rotate FILE
 * </pre>
 * {@code new} writes a file with one key and never overwrites one. {@code rotate} puts a new key first (it
 * signs from the next start of the service on) and keeps exactly one previous key, the one that signed until
 * now, so that its tokens still verify until they expire. Only key ids are printed, never key material.
 */
public final class SigningKeyTool {

    private SigningKeyTool() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The exit status: 0 done, 1 failed, 2 wrong usage. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length != 2 || !(args[0].equals("new") || args[0].equals("rotate"))) {
            err.println("usage: SigningKeyTool new|rotate FILE");
            return 2;
        }
        Path file = Path.of(args[1]);
        try {
            if (args[0].equals("new")) {
                JWKSet keys = new JWKSet(SigningKeys.newKey());
                SigningKeys.write(file, keys, false);
                out.println("Created " + file + " with signing key " + SigningKeys.signingKey(keys).getKeyID());
            } else {
                JWKSet keys = SigningKeys.rotated(SigningKeys.load(file));
                SigningKeys.write(file, keys, true);
                out.println("Rotated " + file + ": signing key " + SigningKeys.signingKey(keys).getKeyID()
                            + ", previous key " + keys.getKeys().stream().skip(1).map(JWK::getKeyID).findFirst()
                                    .orElseThrow() + " still published");
            }
            return 0;
        } catch (FileAlreadyExistsException e) {
            err.println(file + " exists; use rotate to add a key to it");
            return 1;
        } catch (RuntimeException e) {
            err.println(e.getMessage());
            return 1;
        }
    }
}
