package arca.deploy;

import arca.proto.objects.ObjectsService;
import arca.proto.user.UserService;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A stopping node still takes the calls that stream their request (callers cannot send those again). */
class DrainTest {
  @Test
  void onlyUploadsAreTakenWhileDraining() {
    assertEquals(Set.of("/arca.objects.v1.ObjectsService/Write"),
        Node.clientStreamingPaths(List.of(ObjectsService.description, UserService.description)));
  }
}
