package arca.user;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import com.typesafe.config.Config;

/**
 * Argon2id password hashing (Password4j). Hashes are self-describing (PHC string with the parameters), so the
 * cost can be raised later without breaking existing hashes. CPU-bound: callers run it on the blocking dispatcher.
 */
final class Passwords {
  private final Argon2Function function;
  private final String dummyHash;

  Passwords(Config config) {
    Config c = config.getConfig("arca.user.argon2");
    this.function = Argon2Function.getInstance(c.getInt("memory-kib"), c.getInt("iterations"),
        c.getInt("parallelism"), 32, Argon2.ID);
    this.dummyHash = hash("not-a-real-password-but-equal-work");
  }

  String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(function).getResult();
  }

  boolean verify(String password, String hash) {
    if (hash == null || hash.isEmpty()) {
      // same work as a real check, so that response times do not reveal which logins exist
      Password.check(password, dummyHash).with(function);
      return false;
    }
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }

  String describe() {
    return "Argon2id m=" + function.getMemory() + "KiB t=" + function.getIterations() + " p=" + function.getParallelism();
  }
}
