package arca.cluster;

import arca.proto.acl.AclService;
import arca.proto.lock.LockService;
import arca.proto.objects.ObjectsService;
import arca.proto.policy.PolicyService;
import arca.proto.role.RoleService;
import arca.proto.token.TokenService;
import arca.proto.tree.TreeService;
import arca.proto.user.UserService;
import arca.proto.workspace.WorkspaceService;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Which calls {@link ServiceClients} sends again on another member: those the .proto files declare idempotent. */
class ServiceClientsTest {
  private static final List<Class<?>> SERVICES = List.of(AclService.class, LockService.class, ObjectsService.class,
      PolicyService.class, RoleService.class, TokenService.class, TreeService.class, UserService.class,
      WorkspaceService.class);

  /** The rule the option replaced: an rpc named like a read (or an ensure) is retried, no other. */
  private static final List<String> READ_VERBS = List.of("get", "list", "stat", "resolve", "visible", "usage", "read",
      "verify", "ensure", "watch");

  @Test
  void everyRpcNamedLikeAReadDeclaresItselfIdempotentAndNoOtherDoes() {
    for (Class<?> api : SERVICES) {
      Set<String> namedLikeReads = rpcMethods(api).stream()
          .filter(m -> READ_VERBS.stream().anyMatch(m::startsWith)).collect(Collectors.toCollection(TreeSet::new));
      assertEquals(namedLikeReads, new TreeSet<>(ServiceClients.idempotentMethods(api)),
          api.getSimpleName() + ": option idempotency_level in the .proto");
    }
  }

  @Test
  void theListCoversEveryServiceOfTheProtoFiles() throws IOException {
    Set<String> declared;
    try (Stream<Path> files = Files.walk(Path.of("../proto/src/main/proto"))) {
      declared = files.filter(f -> f.toString().endsWith(".proto")).flatMap(ServiceClientsTest::lines)
          .filter(l -> l.startsWith("service ")).map(l -> l.split("\\s+")[1])
          .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(declared, SERVICES.stream().map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new)));
  }

  @Test
  void anInterfaceThatIsNoGeneratedServiceIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ServiceClients.idempotentMethods(Runnable.class));
  }

  private static Set<String> rpcMethods(Class<?> api) {
    return Arrays.stream(api.getDeclaredMethods()).filter(m -> Modifier.isAbstract(m.getModifiers()))
        .map(Method::getName).collect(Collectors.toSet());
  }

  private static Stream<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
