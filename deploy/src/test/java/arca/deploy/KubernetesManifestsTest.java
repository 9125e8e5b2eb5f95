package arca.deploy;

import arca.cluster.ArcaConfig;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Kubernetes manifests (deploy/k8s, the resources kustomization.yaml lists) checked against the code they deploy,
 * without a cluster and without kubectl: the YAML is parsed here, and what a pod would run is worked out from the
 * node's own HOCON (cluster-config's arca.conf) with the Deployment's environment, Akka's reference configuration
 * (bootstrap, discovery, management, coordinated shutdown) and the launcher scripts. Also the image's Dockerfile
 * (deploy/docker) against the Deployment.
 */
class KubernetesManifestsTest {
  /** What the test puts in for the pod's IP ({@code status.podIP}) when it resolves the node's configuration. */
  private static final String POD_IP = "10.244.1.17";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path root;
  private static Path k8s;
  private static JsonNode kustomization;
  /** Every object of the resources kustomization.yaml lists, with "file#index" for messages. */
  private static final Map<String, JsonNode> objects = new LinkedHashMap<>();
  private static JsonNode deployment;
  private static JsonNode podSpec;
  private static JsonNode container;
  private static JsonNode secretExample;
  /** The container's environment as the node sees it (fieldRefs and secret keys filled in, $(VAR) expanded). */
  private static Map<String, String> env;
  /** The node's effective configuration in a pod: arca.conf + the pod's environment + Akka's references. */
  private static Config node;

  @BeforeAll
  static void load() throws IOException {
    root = repoRoot();
    k8s = root.resolve("deploy/k8s");
    Path kust = k8s.resolve("kustomization.yaml");
    assertTrue(Files.isRegularFile(kust), "no " + kust);
    kustomization = YAML.readTree(kust.toFile());
    for (JsonNode r : kustomization.path("resources")) {
      Path file = k8s.resolve(r.asText());
      assertTrue(Files.isRegularFile(file), "kustomization.yaml lists " + r.asText() + ", which does not exist in " + k8s);
      List<JsonNode> docs = readAll(file);
      assertFalse(docs.isEmpty(), r.asText() + " holds no object");
      for (int i = 0; i < docs.size(); i++) objects.put(r.asText() + "#" + (i + 1), docs.get(i));
    }
    List<JsonNode> workloads = ofKind("Deployment");
    workloads.addAll(ofKind("StatefulSet"));
    assertEquals(1, workloads.size(), "expected one Deployment (or StatefulSet) running the nodes");
    deployment = workloads.get(0);
    podSpec = deployment.path("spec").path("template").path("spec");
    List<JsonNode> containers = new ArrayList<>();
    podSpec.path("containers").forEach(containers::add);
    assertEquals(1, containers.size(), "expected one container in the pod (the node)");
    container = containers.get(0);
    List<JsonNode> secrets = readAll(k8s.resolve("secret.example.yaml"));
    assertEquals(1, secrets.size(), "secret.example.yaml: expected one Secret");
    secretExample = secrets.get(0);
    env = podEnvironment();
    node = nodeConfig(env);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // resources, API versions, typos

  @Test
  void everyResourceParsesAndUsesAStableApi() {
    assertEquals("kustomize.config.k8s.io/v1beta1", kustomization.path("apiVersion").asText(), "kustomization.yaml apiVersion");
    assertEquals("Kustomization", kustomization.path("kind").asText(), "kustomization.yaml kind");
    Map<String, String> stable = Map.of(
        "Deployment", "apps/v1", "StatefulSet", "apps/v1", "PodDisruptionBudget", "policy/v1",
        "Role", "rbac.authorization.k8s.io/v1", "RoleBinding", "rbac.authorization.k8s.io/v1",
        "Service", "v1", "ServiceAccount", "v1", "PersistentVolumeClaim", "v1", "Namespace", "v1");
    List<String> errors = new ArrayList<>();
    Set<String> names = new HashSet<>();
    objects.forEach((where, o) -> {
      String kind = o.path("kind").asText();
      if (!stable.containsKey(kind)) errors.add(where + ": kind '" + kind + "' is not one the manifests are expected to hold " + stable.keySet());
      else if (!stable.get(kind).equals(o.path("apiVersion").asText())) {
        errors.add(where + ": " + kind + " has apiVersion '" + o.path("apiVersion").asText() + "', expected " + stable.get(kind));
      }
      String name = o.path("metadata").path("name").asText();
      if (name.isEmpty()) errors.add(where + ": no metadata.name");
      if (!names.add(kind + "/" + name)) errors.add(where + ": a second " + kind + "/" + name);
      if (o.path("metadata").has("namespace") && !o.path("metadata").path("namespace").asText().equals(namespace())) {
        errors.add(where + ": metadata.namespace differs from kustomization.yaml's namespace " + namespace());
      }
    });
    assertEquals(List.of(), errors);
    // the namespace kustomize puts everything in is one the manifests create
    assertTrue(ofKind("Namespace").stream().anyMatch(n -> n.path("metadata").path("name").asText().equals(namespace())),
        "no Namespace object named " + namespace() + " (kustomization.yaml's namespace)");
    assertEquals(namespace(), secretExample.path("metadata").path("namespace").asText(namespace()),
        "secret.example.yaml's namespace must be kustomization.yaml's");
  }

  @Test
  void noUnknownFields() {
    List<String> errors = new ArrayList<>();
    Typos t = new Typos(errors);
    t.check(kustomization, "kustomization.yaml", Set.of("apiVersion", "kind", "namespace", "resources", "images",
        "labels", "commonLabels", "commonAnnotations", "namePrefix", "nameSuffix", "patches", "configMapGenerator",
        "secretGenerator", "replicas"));
    kustomization.path("images").forEach(i -> t.check(i, "kustomization.yaml images[]", Set.of("name", "newName", "newTag", "digest")));
    objects.forEach((where, o) -> t.object(where, o));
    t.object("secret.example.yaml", secretExample);
    assertEquals(List.of(), errors, "unknown fields (a typo, or a field this test's allow-list lacks)");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the rollout

  @Test
  void aRolloutReplacesOnePodAtATime() {
    JsonNode spec = deployment.path("spec");
    assertEquals(3, spec.path("replicas").asInt(-1), "replicas: the README and the PDB describe a 3-node cluster");
    String readme = readmeKubernetes();
    if (deployment.path("kind").asText().equals("Deployment")) {
      assertEquals("RollingUpdate", spec.path("strategy").path("type").asText(), "Deployment strategy.type");
      JsonNode ru = spec.path("strategy").path("rollingUpdate");
      assertEquals("0", ru.path("maxSurge").asText(), "rollingUpdate.maxSurge: no extra pod during a rollout (one node at a time)");
      assertEquals("1", ru.path("maxUnavailable").asText(), "rollingUpdate.maxUnavailable: one pod replaced at a time");
      assertTrue(readme.contains("`maxSurge: " + ru.path("maxSurge").asText() + "`"), "the README's Kubernetes paragraph must give maxSurge " + ru.path("maxSurge").asText());
      assertTrue(readme.contains("`maxUnavailable: " + ru.path("maxUnavailable").asText() + "`"), "the README's Kubernetes paragraph must give maxUnavailable " + ru.path("maxUnavailable").asText());
    } else {
      assertEquals("RollingUpdate", spec.path("updateStrategy").path("type").asText("RollingUpdate"), "StatefulSet updateStrategy.type");
    }
    long grace = podSpec.path("terminationGracePeriodSeconds").asLong(30);
    assertTrue(readme.contains("`terminationGracePeriodSeconds: " + grace + "`"), "the README's Kubernetes paragraph must give terminationGracePeriodSeconds " + grace);
    long preStop = preStopSeconds();
    if (preStop > 0) assertTrue(readme.contains(preStop + " s preStop"), "the README's Kubernetes paragraph must give the " + preStop + " s preStop pause");
  }

  @Test
  void theGracePeriodCoversTheGracefulStop() {
    // SIGTERM -> the JVM's shutdown hook -> Akka's coordinated shutdown (Node and Gateway add the drains to it)
    assertTrue(node.getBoolean("akka.coordinated-shutdown.run-by-jvm-shutdown-hook"),
        "akka.coordinated-shutdown.run-by-jvm-shutdown-hook must stay on: it is what turns SIGTERM into a graceful stop");
    assertTrue(node.getBoolean("akka.coordinated-shutdown.exit-jvm"), "akka.coordinated-shutdown.exit-jvm: the pod's process must end after the stop");
    // Coordinated shutdown runs its phases one after the other, each cut off at its timeout: their sum bounds it
    Config phases = node.getConfig("akka.coordinated-shutdown.phases");
    Duration def = node.getDuration("akka.coordinated-shutdown.default-phase-timeout");
    Map<String, Duration> timeouts = new LinkedHashMap<>();
    for (String phase : phases.root().keySet()) {
      String key = "\"" + phase + "\".timeout";
      timeouts.put(phase, phases.hasPath(key) ? phases.getDuration(key) : def);
    }
    Duration shutdown = timeouts.values().stream().reduce(Duration.ZERO, Duration::plus);
    // the drains the node adds must fit their phases (else the phase timeout, not the drain, decides)
    String nodeSrc = read(root.resolve("deploy/src/main/java/arca/deploy/Node.java"));
    String gatewaySrc = read(root.resolve("http-gateway/src/main/java/arca/rest/proxy/Gateway.java"));
    long grpcDrain = seconds(nodeSrc, "\"grpc-unbind\",\\s*\\(\\) -> b\\.terminate\\(Duration\\.ofSeconds\\((\\d+)\\)\\)",
        "Node.java: the gRPC port's drain (b.terminate(Duration.ofSeconds(N)) in task grpc-unbind)");
    long httpDrain = seconds(gatewaySrc, "addToCoordinatedShutdown\\(Duration\\.ofSeconds\\((\\d+)\\)",
        "Gateway.java: the public port's drain (addToCoordinatedShutdown(Duration.ofSeconds(N)))");
    assertTrue(grpcDrain <= timeouts.get("before-actor-system-terminate").toSeconds(),
        "Node's gRPC drain (" + grpcDrain + " s) is longer than phase before-actor-system-terminate (" + timeouts.get("before-actor-system-terminate") + ")");
    assertTrue(httpDrain <= timeouts.get("service-requests-done").toSeconds(),
        "Gateway's request drain (" + httpDrain + " s) is longer than phase service-requests-done (" + timeouts.get("service-requests-done") + ")");
    long preStop = preStopSeconds();
    long grace = podSpec.path("terminationGracePeriodSeconds").asLong(30);
    assertTrue(grace > preStop + shutdown.toSeconds(),
        "terminationGracePeriodSeconds " + grace + " must exceed the preStop pause (" + preStop + " s) + the coordinated "
            + "shutdown's bound (" + shutdown.toSeconds() + " s, the sum of its phase timeouts " + timeouts + "); "
            + "otherwise the kubelet kills the node in the middle of its graceful stop");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // probes

  @Test
  void probesAskAkkaManagementOnItsPort() {
    String base = node.getString("akka.management.http.base-path");
    String prefix = base.isEmpty() ? "/" : "/" + base + "/";
    assertFalse(node.getString("akka.management.http.routes.health-checks").isEmpty(), "Akka Management's health-check routes are off");
    String ready = prefix + node.getString("akka.management.health-checks.readiness-path");
    String alive = prefix + node.getString("akka.management.health-checks.liveness-path");
    JsonNode readiness = container.path("readinessProbe").path("httpGet");
    JsonNode liveness = container.path("livenessProbe").path("httpGet");
    assertEquals(ready, readiness.path("path").asText(), "readinessProbe path: the node serves readiness on " + ready);
    assertEquals(alive, liveness.path("path").asText(), "livenessProbe path: the node serves liveness on " + alive);
    assertEquals("management", readiness.path("port").asText(), "readinessProbe port: the container port named management");
    assertEquals("management", liveness.path("port").asText(), "livenessProbe port: the container port named management");
    if (container.has("startupProbe")) {
      JsonNode startup = container.path("startupProbe").path("httpGet");
      assertEquals(alive, startup.path("path").asText(), "startupProbe path (the liveness path " + alive + ")");
      assertEquals("management", startup.path("port").asText(), "startupProbe port");
    }
    // the kubelet probes the pod's IP: management must not listen on loopback only
    assertNotLoopback("akka.management.http.bind-hostname (ARCA_MANAGEMENT_HOST)", node.getString("akka.management.http.bind-hostname"));
    String readme = readmeKubernetes();
    assertTrue(readme.contains("`" + ready + "`"), "the README's Kubernetes paragraph must name the readiness path " + ready);
    assertTrue(readme.contains("`" + alive + "`"), "the README's Kubernetes paragraph must name the liveness path " + alive);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // selectors, disruption budget

  @Test
  void selectorsPickTheNodesPods() {
    Map<String, String> podLabels = labels(deployment.path("spec").path("template").path("metadata").path("labels"));
    assertFalse(podLabels.isEmpty(), "the pod template has no labels");
    JsonNode selector = deployment.path("spec").path("selector");
    assertFalse(selector.has("matchExpressions"), "the test understands matchLabels selectors only");
    Map<String, String> match = labels(selector.path("matchLabels"));
    assertFalse(match.isEmpty(), "the Deployment's selector is empty");
    assertTrue(podLabels.entrySet().containsAll(match.entrySet()), "the Deployment's selector " + match + " does not match its pod labels " + podLabels);
    for (JsonNode svc : ofKind("Service")) {
      Map<String, String> sel = labels(svc.path("spec").path("selector"));
      assertFalse(sel.isEmpty(), "Service " + name(svc) + " selects nothing");
      assertTrue(podLabels.entrySet().containsAll(sel.entrySet()), "Service " + name(svc) + " selects " + sel + ", not the pods " + podLabels);
    }
    List<JsonNode> pdbs = ofKind("PodDisruptionBudget");
    assertEquals(1, pdbs.size(), "expected one PodDisruptionBudget");
    JsonNode pdb = pdbs.get(0);
    assertFalse(pdb.path("spec").path("selector").has("matchExpressions"), "the test understands matchLabels selectors only");
    Map<String, String> pdbSel = labels(pdb.path("spec").path("selector").path("matchLabels"));
    assertFalse(pdbSel.isEmpty(), "the PDB selects nothing");
    assertTrue(podLabels.entrySet().containsAll(pdbSel.entrySet()), "the PDB selects " + pdbSel + ", not the pods " + podLabels);
    int replicas = deployment.path("spec").path("replicas").asInt();
    JsonNode spec = pdb.path("spec");
    int down;
    if (spec.has("maxUnavailable")) {
      assertFalse(spec.has("minAvailable"), "the PDB sets both minAvailable and maxUnavailable");
      down = spec.path("maxUnavailable").asInt(-1);
    } else {
      assertTrue(spec.path("minAvailable").isInt(), "the PDB needs minAvailable or maxUnavailable as a number of pods");
      down = replicas - spec.path("minAvailable").asInt();
    }
    assertEquals(1, down, "the PDB must allow exactly one pod down (a majority of " + replicas + " stays: the Split Brain Resolver keeps it)");
    assertTrue(readmeKubernetes().contains("PodDisruptionBudget (`maxUnavailable: 1`)") || !spec.has("maxUnavailable"),
        "the README's Kubernetes paragraph describes the PDB as `maxUnavailable: 1`");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // discovery: Cluster Bootstrap over the Kubernetes API

  @Test
  void clusterBootstrapSelectsThePods() {
    assertEquals("kubernetes-api", env.get("ARCA_BOOTSTRAP"), "ARCA_BOOTSTRAP");
    assertTrue(ArcaConfig.seedNodes(node).isEmpty(), "ARCA_SEED_NODES is set: the node would not use Cluster Bootstrap");
    String cpd = "akka.management.cluster.bootstrap.contact-point-discovery.";
    assertEquals("kubernetes-api", node.getString(cpd + "discovery-method"), "the bootstrap discovery method the node configures");
    // the pods the node lists: akka.discovery.kubernetes-api.pod-label-selector with the service name
    String service = node.getString(cpd + "service-name");
    String selector = String.format(node.getString("akka.discovery.kubernetes-api.pod-label-selector"), service);
    Map<String, String> wanted = new LinkedHashMap<>();
    for (String term : selector.split(",")) {
      String[] kv = term.trim().split("=", 2);
      assertTrue(kv.length == 2 && !kv[0].endsWith("!") && !kv[1].startsWith("="), "the test understands k=v label selectors only: " + selector);
      wanted.put(kv[0].trim(), kv[1].trim());
    }
    Map<String, String> podLabels = labels(deployment.path("spec").path("template").path("metadata").path("labels"));
    assertTrue(podLabels.entrySet().containsAll(wanted.entrySet()),
        "Kubernetes API discovery lists the pods labelled " + selector + " (ARCA_BOOTSTRAP_SERVICE=" + service
            + " in akka.discovery.kubernetes-api.pod-label-selector), but the pods carry " + podLabels);
    String ns = node.getString("akka.discovery.kubernetes-api.pod-namespace");
    assertTrue(ns.equals("<pod-namespace>") || ns.equals(namespace()), "akka.discovery.kubernetes-api.pod-namespace " + ns + " is not the pods' namespace");
    int required = node.getInt(cpd + "required-contact-point-nr");
    int replicas = deployment.path("spec").path("replicas").asInt();
    assertTrue(required >= 1 && required <= replicas, "ARCA_BOOTSTRAP_REQUIRED " + required + " must be between 1 and replicas " + replicas + " (else no cluster forms)");
    // the contact point's port: the named port if Bootstrap sets one, else the node's own management port
    String portName = node.getString(cpd + "port-name");
    int management = containerPort("management");
    if (portName.isEmpty()) {
      assertEquals(node.getInt("akka.management.http.port"), management,
          "Bootstrap sets no port name, so it contacts the pods on akka.management.http.port; the container port management must be it");
    } else {
      assertEquals(management, containerPort(portName), "Bootstrap's port-name " + portName + " must be the management port");
    }
    // Bootstrap recognises its own pod among the contact points by the management host: the pod IP
    assertEquals(POD_IP, node.getString("akka.management.http.hostname"),
        "akka.management.http.hostname (ARCA_MANAGEMENT_HOST) must be the pod IP: other pods reach it there and Bootstrap matches itself by it");
    assertEquals(POD_IP, node.getString("akka.remote.artery.canonical.hostname"), "ARCA_CLUSTER_HOST must be the pod IP");
    String grpcAdvertised = node.getString("arca.grpc.advertise-host").isBlank()
        ? node.getString("akka.remote.artery.canonical.hostname") : node.getString("arca.grpc.advertise-host");
    assertEquals(POD_IP, grpcAdvertised, "the gRPC endpoint other nodes call (ARCA_GRPC_ADVERTISE_HOST, else ARCA_CLUSTER_HOST) must be the pod IP");
  }

  @Test
  void aHeadlessServiceListsEveryPod() {
    List<JsonNode> headless = ofKind("Service").stream().filter(s -> "None".equals(s.path("spec").path("clusterIP").asText())).toList();
    assertEquals(1, headless.size(), "expected one headless Service (clusterIP: None) for the nodes themselves");
    JsonNode internal = headless.get(0).path("spec");
    assertTrue(internal.path("publishNotReadyAddresses").asBoolean(false), "the headless Service must set publishNotReadyAddresses: true (a forming cluster's pods are not ready yet)");
    assertTrue(targets(headless.get(0)).contains("management"), "the headless Service must carry the management port");
  }

  @Test
  void thePodsServiceAccountMayListPods() {
    String sa = podSpec.path("serviceAccountName").asText();
    assertFalse(sa.isEmpty(), "the pod sets no serviceAccountName (the default account may not list pods)");
    assertTrue(ofKind("ServiceAccount").stream().anyMatch(s -> name(s).equals(sa)), "no ServiceAccount " + sa);
    assertNotEquals("false", podSpec.path("automountServiceAccountToken").asText(), "discovery needs the service account token in the pod");
    ofKind("ServiceAccount").stream().filter(s -> name(s).equals(sa)).forEach(s ->
        assertNotEquals("false", s.path("automountServiceAccountToken").asText(), "discovery needs the service account token in the pod"));
    boolean allowed = false;
    for (JsonNode binding : ofKind("RoleBinding")) {
      boolean forSa = false;
      for (JsonNode subject : binding.path("subjects")) {
        forSa |= subject.path("kind").asText().equals("ServiceAccount") && subject.path("name").asText().equals(sa)
            && subject.path("namespace").asText(namespace()).equals(namespace());
      }
      JsonNode ref = binding.path("roleRef");
      if (!forSa || !ref.path("kind").asText().equals("Role")) continue;
      assertEquals("rbac.authorization.k8s.io", ref.path("apiGroup").asText(), "RoleBinding " + name(binding) + " roleRef.apiGroup");
      JsonNode role = ofKind("Role").stream().filter(r -> name(r).equals(ref.path("name").asText())).findFirst()
          .orElseThrow(() -> new AssertionError("RoleBinding " + name(binding) + " refers to Role " + ref.path("name").asText() + ", which does not exist"));
      for (JsonNode rule : role.path("rules")) {
        if (texts(rule.path("apiGroups")).contains("") && texts(rule.path("resources")).contains("pods")
            && (texts(rule.path("verbs")).containsAll(Set.of("get", "watch", "list")) || texts(rule.path("verbs")).contains("*"))) {
          allowed = true;
        }
      }
    }
    assertTrue(allowed, "ServiceAccount " + sa + " is bound to no Role allowing get, watch and list on pods");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // environment

  @Test
  void everyArcaVariableIsOneTheNodeReads() {
    Set<String> read = variablesTheNodeReads();
    List<String> unknown = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      assertTrue(seen.add(name), "env " + name + " is set twice");
      if (name.startsWith("ARCA_") && !read.contains(name)) unknown.add(name);
    }
    assertEquals(List.of(), unknown, "the Deployment sets ARCA_* variables no part of the node reads (a typo, or a removed setting); "
        + "read are: " + new TreeSet<>(read));
    // $(VAR) expands only variables defined earlier in the list; anything else stays literally "$(VAR)"
    Set<String> before = new HashSet<>();
    for (JsonNode e : container.path("env")) {
      Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(e.path("value").asText());
      while (m.find()) {
        assertTrue(before.contains(m.group(1)), "env " + e.path("name").asText() + " uses $(" + m.group(1) + "), which is not defined before it");
      }
      before.add(e.path("name").asText());
    }
  }

  @Test
  void secretReferencesAreDocumentedInTheExample() {
    assertEquals("Secret", secretExample.path("kind").asText(), "secret.example.yaml kind");
    Set<String> keys = new TreeSet<>();
    secretExample.path("stringData").fieldNames().forEachRemaining(keys::add);
    secretExample.path("data").fieldNames().forEachRemaining(keys::add);
    String secret = name(secretExample);
    for (JsonNode e : container.path("env")) {
      JsonNode ref = e.path("valueFrom").path("secretKeyRef");
      if (!ref.isMissingNode()) {
        assertEquals(secret, ref.path("name").asText(), "env " + e.path("name").asText() + " reads Secret " + ref.path("name").asText() + ", not the documented " + secret);
        assertTrue(keys.contains(ref.path("key").asText()), "env " + e.path("name").asText() + " reads key " + ref.path("key").asText() + ", which secret.example.yaml does not document " + keys);
      }
      assertTrue(e.path("valueFrom").path("configMapKeyRef").isMissingNode(), "env " + e.path("name").asText() + ": no ConfigMap is part of the manifests");
    }
    for (JsonNode from : container.path("envFrom")) {
      if (from.has("secretRef")) assertEquals(secret, from.path("secretRef").path("name").asText(), "envFrom secretRef");
      assertFalse(from.has("configMapRef"), "envFrom configMapRef: no ConfigMap is part of the manifests");
    }
    // the README's kubectl line creates every key the example has
    String comment = read(k8s.resolve("secret.example.yaml"));
    for (String key : keys) assertTrue(comment.contains("--from-literal=" + key + "="), "secret.example.yaml's kubectl line lacks key " + key);
  }

  @Test
  void serviceLinksDoNotShadowTheNodesVariables() {
    // Kubernetes puts <SERVICE>_SERVICE_HOST, <SERVICE>_PORT, ... of every Service with a cluster IP in the
    // namespace into each pod (enableServiceLinks): for a Service named arca those are ARCA_* variables
    if (!podSpec.path("enableServiceLinks").asBoolean(true)) return;
    Set<String> read = variablesTheNodeReads();
    for (JsonNode svc : ofKind("Service")) {
      if ("None".equals(svc.path("spec").path("clusterIP").asText())) continue;
      String n = name(svc).toUpperCase().replace('-', '_');
      Set<String> injected = new TreeSet<>(Set.of(n + "_SERVICE_HOST", n + "_SERVICE_PORT", n + "_PORT"));
      for (JsonNode p : svc.path("spec").path("ports")) {
        String proto = p.path("protocol").asText("TCP");
        String base = n + "_PORT_" + p.path("port").asText() + "_" + proto;
        injected.addAll(List.of(base, base + "_PROTO", base + "_PORT", base + "_ADDR"));
        if (p.has("name")) injected.add(n + "_SERVICE_PORT_" + p.path("name").asText().toUpperCase().replace('-', '_'));
      }
      injected.retainAll(read);
      assertEquals(Set.of(), injected, "Service " + name(svc) + " makes Kubernetes set these variables in every pod, and the node reads them "
          + "(rename the Service or set enableServiceLinks: false)");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // ports

  @Test
  void containerPortsAreTheNodesPorts() {
    assertEquals(node.getInt("arca.http.port"), containerPort("http"), "container port http vs arca.http.port (ARCA_HTTP_PORT)");
    assertEquals(node.getInt("arca.grpc.port"), containerPort("grpc"), "container port grpc vs arca.grpc.port (ARCA_GRPC_PORT)");
    assertEquals(node.getInt("akka.management.http.port"), containerPort("management"), "container port management vs akka.management.http.port (ARCA_MANAGEMENT_PORT)");
    assertEquals(node.getInt("akka.remote.artery.canonical.port"), containerPort("remoting"), "container port remoting vs akka.remote.artery.canonical.port (ARCA_CLUSTER_PORT)");
    // what other pods and the Services reach must listen on the pod's address, not loopback only
    assertNotLoopback("arca.http.host (ARCA_HTTP_HOST)", node.getString("arca.http.host"));
    assertNotLoopback("arca.grpc.host (ARCA_GRPC_HOST)", node.getString("arca.grpc.host"));
  }

  @Test
  void servicesTargetTheContainerPorts() {
    Set<String> named = new HashSet<>();
    container.path("ports").forEach(p -> named.add(p.path("name").asText()));
    for (JsonNode svc : ofKind("Service")) {
      for (JsonNode p : svc.path("spec").path("ports")) {
        String target = p.path("targetPort").asText(p.path("port").asText());
        boolean ok = named.contains(target);
        if (!ok && target.matches("\\d+")) {
          for (JsonNode cp : container.path("ports")) ok |= cp.path("containerPort").asText().equals(target);
        }
        assertTrue(ok, "Service " + name(svc) + " port " + p.path("name").asText() + " targets " + target + ", which no container port is");
      }
    }
    // the public Service carries HTTP only: gRPC, remoting and management are for the nodes themselves
    for (JsonNode svc : ofKind("Service")) {
      if ("None".equals(svc.path("spec").path("clusterIP").asText())) continue;
      Set<String> targets = targets(svc);
      assertEquals(Set.of("http"), targets, "Service " + name(svc) + " (not headless) must expose the http port only: gRPC, remoting and management are the nodes' internal ports");
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // volumes

  @Test
  void whatTheNodeWritesIsOnMountedVolumes() {
    Map<String, JsonNode> volumes = new LinkedHashMap<>();
    podSpec.path("volumes").forEach(v -> volumes.put(v.path("name").asText(), v));
    Map<String, JsonNode> mounts = new LinkedHashMap<>();
    for (JsonNode m : container.path("volumeMounts")) {
      assertTrue(volumes.containsKey(m.path("name").asText()), "volumeMount " + m.path("name").asText() + " names no volume of the pod");
      mounts.put(m.path("mountPath").asText(), m);
    }
    JsonNode dataVolume = volumeFor("arca.data-dir (ARCA_DATA_DIR)", node.getString("arca.data-dir"), mounts, volumes);
    JsonNode filesVolume = volumeFor("datasource default's path (ARCA_DATASOURCE_DEFAULT_PATH)", node.getString("arca.datasources.default.path"), mounts, volumes);
    int replicas = deployment.path("spec").path("replicas").asInt();
    // the files of datasource default: every node serves them, so all pods share the volume
    if (node.getBoolean("arca.datasources.default.serve") && replicas > 1) {
      String claim = filesVolume.path("persistentVolumeClaim").path("claimName").asText();
      assertFalse(claim.isEmpty(), "datasource default is served by every pod: its folder must be one shared volume (a PersistentVolumeClaim), not " + filesVolume);
      JsonNode pvc = ofKind("PersistentVolumeClaim").stream().filter(c -> name(c).equals(claim)).findFirst()
          .orElseThrow(() -> new AssertionError("the pod mounts PersistentVolumeClaim " + claim + ", which the manifests do not create"));
      assertTrue(texts(pvc.path("spec").path("accessModes")).contains("ReadWriteMany"),
          "PersistentVolumeClaim " + claim + " is mounted by " + replicas + " pods: it must be ReadWriteMany");
      assertTrue(readmeKubernetes().contains("ReadWriteMany"), "the README's Kubernetes paragraph must say the files volume is ReadWriteMany");
    }
    // a data dir that does not outlive the pod (emptyDir) cannot hold the database: the pods need a shared one
    if (dataVolume.has("emptyDir")) {
      String db = node.getString("arca.db.url");
      assertFalse(db.isBlank() || db.startsWith("jdbc:h2:"), "the data dir is an emptyDir, so the database must be a shared server "
          + "(ARCA_DB_URL from the Secret), not the embedded H2 (" + db + ")");
    }
  }

  @Test
  void theImageIsTheOneKustomizeSets() {
    String image = container.path("image").asText();
    String bare = image.replaceAll("[:@].*$", "");
    List<String> names = new ArrayList<>();
    kustomization.path("images").forEach(i -> names.add(i.path("name").asText()));
    assertTrue(names.isEmpty() || names.contains(bare), "kustomization.yaml images " + names + " do not name the container image " + bare + " (kustomize would leave it unchanged)");
  }

  // ---------------------------------------------------------------------------------------------------------------
  // the image (deploy/docker/Dockerfile)

  @Test
  void theDockerfileBuildsWhatThePodRuns() throws IOException {
    Map<String, List<String>> df = dockerfile(root.resolve("deploy/docker/Dockerfile"));
    List<String> errors = new ArrayList<>();
    // the runtime: at least the Java release the project compiles for
    String from = one(df, "FROM");
    Matcher jdk = Pattern.compile("eclipse-temurin:(\\d+)").matcher(from);
    String pom = read(root.resolve("pom.xml"));
    Matcher release = Pattern.compile("<maven.compiler.release>(\\d+)<").matcher(pom);
    assertTrue(release.find(), "no maven.compiler.release in pom.xml");
    if (!jdk.find() || Integer.parseInt(jdk.group(1)) < Integer.parseInt(release.group(1))) {
      errors.add("FROM " + from + ": expected eclipse-temurin:<N>-jre with N >= " + release.group(1) + " (maven.compiler.release)");
    }
    // the command: the Deployment's command + args and the image's ENTRYPOINT + CMD run the same launcher
    List<String> imageCmd = new ArrayList<>();
    if (df.containsKey("ENTRYPOINT")) imageCmd.addAll(execForm(one(df, "ENTRYPOINT")));
    if (df.containsKey("CMD")) imageCmd.addAll(execForm(one(df, "CMD")));
    List<String> podCmd = new ArrayList<>(texts(container.path("command")));
    podCmd.addAll(texts(container.path("args")));
    if (!podCmd.isEmpty() && !podCmd.equals(imageCmd)) errors.add("the image runs " + imageCmd + ", the Deployment " + podCmd);
    // ... which is where make-dist puts the launcher, under the directory the dist is copied to
    String launcher = imageCmd.isEmpty() ? "" : imageCmd.get(0);
    String distDir = launcher.replaceAll("/bin/arca-node$", "");
    if (distDir.equals(launcher)) errors.add("the image's command " + imageCmd + " is not <dist>/bin/arca-node");
    if (!read(root.resolve("deploy/bin/make-dist")).contains("\"$out/bin/arca-node\"")) errors.add("make-dist no longer puts the launcher at <dist>/bin/arca-node");
    boolean copied = df.getOrDefault("COPY", List.of()).stream()
        .anyMatch(c -> c.matches("(--\\S+\\s+)*\\.\\s+" + Pattern.quote(distDir) + "/?"));
    if (!copied) errors.add("no COPY of the build context (a dist) to " + distDir + " (found " + df.get("COPY") + ")");
    // the ports
    Set<String> exposed = new TreeSet<>();
    for (String e : df.getOrDefault("EXPOSE", List.of())) {
      for (String p : e.trim().split("\\s+")) exposed.add(p.replaceAll("/tcp$", ""));
    }
    Set<String> ports = new TreeSet<>();
    container.path("ports").forEach(p -> ports.add(p.path("containerPort").asText()));
    if (!exposed.equals(ports)) errors.add("EXPOSE " + exposed + " differs from the container ports " + ports);
    if (!"SIGTERM".equals(df.containsKey("STOPSIGNAL") ? one(df, "STOPSIGNAL") : "")) {
      errors.add("STOPSIGNAL must be SIGTERM (what the node's graceful stop answers)");
    }
    // the user: numeric and not root, the ids the pod's securityContext names
    String user = df.containsKey("USER") ? df.get("USER").get(df.get("USER").size() - 1) : "";
    Matcher ids = Pattern.compile("(\\d+)(?::(\\d+))?").matcher(user);
    if (!ids.matches() || ids.group(1).equals("0")) {
      errors.add("USER " + user + ": expected a numeric, non-root uid[:gid] (so that runAsNonRoot can be checked)");
    } else {
      JsonNode sc = podSpec.path("securityContext");
      // a non-root node writes its volumes only if they belong to its group (a new PVC's root is often root's)
      if (!sc.has("fsGroup")) errors.add("the pod's securityContext sets no fsGroup: its volumes may not be writable for the image's non-root user");
      if (!sc.path("runAsNonRoot").asBoolean(false)) errors.add("the pod's securityContext should set runAsNonRoot: true (the image's user is not root)");
      if (sc.has("runAsUser") && !sc.path("runAsUser").asText().equals(ids.group(1))) errors.add("runAsUser " + sc.path("runAsUser").asText() + " is not the image's uid " + ids.group(1));
      String gid = ids.group(2) == null ? ids.group(1) : ids.group(2);
      for (String f : List.of("runAsGroup", "fsGroup")) {
        if (sc.has(f) && !sc.path(f).asText().equals(gid)) errors.add(f + " " + sc.path(f).asText() + " is not the image's gid " + gid);
      }
    }
    // the writable places: declared volumes, the same paths as the Deployment's mounts and environment
    Set<String> volumes = new TreeSet<>();
    for (String v : df.getOrDefault("VOLUME", List.of())) {
      if (v.trim().startsWith("[")) volumes.addAll(JSON.readValue(v, new TypeReference<List<String>>() { }));
      else volumes.addAll(List.of(v.trim().split("\\s+")));
    }
    // (the Deployment's read-only Secret mounts are not the image's volumes)
    Set<String> secretVolumes = new TreeSet<>();
    podSpec.path("volumes").forEach(v -> { if (v.has("secret")) secretVolumes.add(v.path("name").asText()); });
    Set<String> mounts = new TreeSet<>();
    container.path("volumeMounts").forEach(m -> {
      if (!secretVolumes.contains(m.path("name").asText())) mounts.add(m.path("mountPath").asText());
    });
    if (!volumes.equals(mounts)) errors.add("VOLUME " + volumes + " differs from the Deployment's volume mounts " + mounts);
    Map<String, String> imageEnv = new LinkedHashMap<>();
    for (String e : df.getOrDefault("ENV", List.of())) {
      Matcher kv = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)").matcher(e);
      while (kv.find()) imageEnv.put(kv.group(1), kv.group(2).replaceAll("^\"|\"$", ""));
    }
    imageEnv.forEach((k, v) -> {
      if (env.containsKey(k) && !env.get(k).equals(v)) errors.add("ENV " + k + "=" + v + " differs from the Deployment's " + env.get(k));
    });
    assertEquals(List.of(), errors, "deploy/docker/Dockerfile vs the manifests");
  }

  /**
   * Data at rest (README): the pod's data dir is a directory the node creates (a volume's root is group-writable with
   * fsGroup, and the node refuses a data dir others may read), the kubelet leaves the modes of what the node wrote,
   * and the master key comes from the documented Secret on a read-only mount; the image makes its data dir 0700; the
   * launcher, and the systemd unit, set the umask 077; the unit's state directory is the data dir, mode 0700.
   */
  @Test
  void theDataDirAndKeyMaterialArePrivate() throws IOException {
    List<String> errors = new ArrayList<>();
    String dataDir = node.getString("arca.data-dir");
    container.path("volumeMounts").forEach(m -> {
      if (m.path("mountPath").asText().replaceAll("/+$", "").equals(dataDir)) {
        errors.add("the data dir " + dataDir + " is the root of volume " + m.path("name").asText() + ": with fsGroup it is group-writable");
      }
    });
    if (!"OnRootMismatch".equals(podSpec.path("securityContext").path("fsGroupChangePolicy").asText())) {
      errors.add("the pod's securityContext should set fsGroupChangePolicy: OnRootMismatch (else every mount makes the node's files group-readable)");
    }
    String keyFile = env.getOrDefault("ARCA_MASTER_KEY_FILE", "");
    if (keyFile.isEmpty()) errors.add("ARCA_MASTER_KEY_FILE is not set: each pod would generate a master key of its own");
    JsonNode keyMount = null;
    for (JsonNode m : container.path("volumeMounts")) {
      if (keyFile.startsWith(m.path("mountPath").asText().replaceAll("/+$", "") + "/")) keyMount = m;
    }
    if (keyMount == null) {
      errors.add("the master key file " + keyFile + " is on no volume mount");
    } else {
      if (!keyMount.path("readOnly").asBoolean(false)) errors.add("the master key's mount " + keyMount.path("mountPath").asText() + " should be readOnly");
      for (JsonNode v : podSpec.path("volumes")) {
        if (!v.path("name").asText().equals(keyMount.path("name").asText())) continue;
        JsonNode secret = v.path("secret");
        if (!secret.path("secretName").asText().equals(name(secretExample))) errors.add("the master key's volume is not Secret " + name(secretExample));
        if (secret.path("defaultMode").asInt(0644) != 0400) errors.add("the master key's Secret volume should set defaultMode: 0400");
        String fileName = keyFile.substring(keyFile.lastIndexOf('/') + 1);
        boolean mapped = false;
        for (JsonNode item : secret.path("items")) {
          if (!item.path("path").asText().equals(fileName)) continue;
          mapped = true;
          if (!secretExample.path("stringData").has(item.path("key").asText())) errors.add("Secret key " + item.path("key").asText() + " is not in secret.example.yaml");
          else if (Base64.getDecoder().decode(secretExample.path("stringData").path(item.path("key").asText()).asText()).length != 32) {
            errors.add("secret.example.yaml's " + item.path("key").asText() + " is not the base64 of 32 bytes (what the node reads)");
          }
        }
        if (!mapped) errors.add("the Secret volume maps no key to " + fileName);
      }
    }
    Map<String, List<String>> df = dockerfile(root.resolve("deploy/docker/Dockerfile"));
    if (df.getOrDefault("RUN", List.of()).stream().noneMatch(r -> r.matches("(?s).*chmod 700 " + Pattern.quote(dataDir) + "(\\s.*|$)"))) {
      errors.add("the image does not make its data dir " + dataDir + " 0700 (RUN ... chmod 700 " + dataDir + ")");
    }
    if (!Pattern.compile("(?m)^umask 077$").matcher(read(root.resolve("deploy/bin/arca-node"))).find()) errors.add("bin/arca-node does not set umask 077");
    String unit = read(root.resolve("deploy/systemd/arca.service"));
    for (String line : List.of("UMask=0077", "StateDirectoryMode=0700", "StateDirectory=arca", "Environment=ARCA_DATA_DIR=/var/lib/arca")) {
      if (!Pattern.compile("(?m)^" + Pattern.quote(line) + "$").matcher(unit).find()) errors.add("arca.service lacks " + line);
    }
    assertEquals(List.of(), errors, "data dir and key material");
  }

  /** A Dockerfile's instructions (continuation lines joined, comments dropped): instruction -> arguments, in order. */
  private static Map<String, List<String>> dockerfile(Path file) {
    assertTrue(Files.isRegularFile(file), "no " + file);
    Map<String, List<String>> out = new LinkedHashMap<>();
    StringBuilder line = new StringBuilder();
    for (String raw : read(file).split("\n")) {
      if (raw.trim().startsWith("#")) continue;
      if (raw.endsWith("\\")) {
        line.append(raw, 0, raw.length() - 1).append(' ');
        continue;
      }
      line.append(raw);
      String l = line.toString().trim();
      line.setLength(0);
      if (l.isEmpty()) continue;
      String[] parts = l.split("\\s+", 2);
      out.computeIfAbsent(parts[0].toUpperCase(), k -> new ArrayList<>()).add(parts.length > 1 ? parts[1].trim() : "");
    }
    return out;
  }

  private static String one(Map<String, List<String>> df, String instruction) {
    List<String> all = df.getOrDefault(instruction, List.of());
    assertEquals(1, all.size(), "the Dockerfile should have one " + instruction + ", has " + all);
    return all.get(0);
  }

  private static List<String> execForm(String args) {
    try {
      return JSON.readValue(args, new TypeReference<List<String>>() { });
    } catch (IOException e) {
      throw new AssertionError("not the exec (JSON) form, which the signal needs to reach the JVM: " + args);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // helpers

  /** The node's configuration in the pod: what {@link ArcaConfig#load} and Node make of arca.conf and the environment. */
  private static Config nodeConfig(Map<String, String> env) {
    // ${?ARCA_X} in the HOCON resolves against the root path ARCA_X: the pod's environment goes in there (and
    // nothing of this machine's environment or system properties)
    Config arca = ConfigFactory.parseMap(env).withFallback(ConfigFactory.parseResourcesAnySyntax("arca"))
        .withFallback(ConfigFactory.defaultReference()).resolve(ConfigResolveOptions.noSystem());
    return ArcaConfig.bootstrap(arca).withFallback(arca).resolve();
  }

  private static Map<String, String> podEnvironment() {
    Map<String, String> secret = new LinkedHashMap<>();
    secretExample.path("stringData").fields().forEachRemaining(e -> secret.put(e.getKey(), e.getValue().asText()));
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      String value;
      if (e.has("value")) {
        Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(e.path("value").asText());
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(out.getOrDefault(m.group(1), m.group())));
        m.appendTail(sb);
        value = sb.toString();
      } else if (e.path("valueFrom").has("fieldRef")) {
        String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText();
        value = switch (field) {
          case "status.podIP" -> POD_IP;
          case "metadata.namespace" -> namespace();
          default -> "<" + field + ">";
        };
      } else if (e.path("valueFrom").has("secretKeyRef")) {
        value = secret.getOrDefault(e.path("valueFrom").path("secretKeyRef").path("key").asText(), "");
      } else {
        value = "";
      }
      out.put(name, value);
    }
    return out;
  }

  /**
   * The ARCA_* variables something in the node reads: ${?ARCA_X} in the modules' HOCON, getenv("ARCA_X") in their
   * code, the per-service database variables (DbSettings: ARCA_&lt;SERVICE&gt;_DB_URL/USER/PASSWORD), and those the
   * launcher (bin/arca-node) uses.
   */
  private static Set<String> variablesTheNodeReads() {
    Set<String> read = new TreeSet<>();
    Pattern hocon = Pattern.compile("\\$\\{\\?(ARCA_[A-Z0-9_]+)}");
    Pattern getenv = Pattern.compile("getenv\\(\"(ARCA_[A-Z0-9_]+)\"\\)");
    // each module's src/main (not target/, where built dists of other commits may lie)
    try (Stream<Path> modules = Files.list(root)) {
      for (Path main : modules.map(m -> m.resolve("src/main")).filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.walk(main)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            String name = f.getFileName().toString();
            if (name.endsWith(".conf")) collect(hocon, read(f), read);
            else if (name.endsWith(".java")) collect(getenv, read(f), read);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(read.contains("ARCA_DATA_DIR"), "found none of the node's ${?ARCA_*} settings under " + root);
    String dbSettings = read(root.resolve("persistence/src/main/java/arca/persistence/DbSettings.java"));
    assertTrue(dbSettings.contains("\"_DB_\""), "DbSettings no longer names ARCA_<SERVICE>_DB_*: update this test");
    // (Services is loaded only when such a variable is set: it loads every module)
    if (container.findValuesAsText("name").stream().anyMatch(n -> n.matches("ARCA_[A-Z0-9_]+_DB_(URL|USER|PASSWORD)"))) {
      for (String s : Services.names()) {
        String p = "ARCA_" + s.toUpperCase().replace('-', '_') + "_DB_";
        read.addAll(List.of(p + "URL", p + "USER", p + "PASSWORD"));
      }
    }
    collect(Pattern.compile("\\$\\{?(ARCA_[A-Z0-9_]+)"), read(root.resolve("deploy/bin/arca-node")), read);
    return read;
  }

  private static void collect(Pattern p, String text, Set<String> into) {
    Matcher m = p.matcher(text);
    while (m.find()) into.add(m.group(1));
  }

  private static JsonNode volumeFor(String what, String path, Map<String, JsonNode> mounts, Map<String, JsonNode> volumes) {
    assertTrue(path.startsWith("/"), what + " is " + path + ": in a container it must be an absolute path on a volume");
    String best = null;
    for (String mp : mounts.keySet()) {
      String m = mp.replaceAll("/+$", "");
      if ((path.equals(m) || path.startsWith(m + "/")) && (best == null || m.length() > best.length())) best = mp;
    }
    assertNotNull(best, what + " is " + path + ", which is on no mounted volume (mounts: " + mounts.keySet() + "): it would be lost with the container");
    JsonNode mount = mounts.get(best);
    assertFalse(mount.path("readOnly").asBoolean(false), what + ": volume mount " + best + " is read-only");
    return volumes.get(mount.path("name").asText());
  }

  private static int containerPort(String name) {
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(name)) return p.path("containerPort").asInt();
    }
    throw new AssertionError("the container has no port named " + name);
  }

  /** The container port names a Service targets (numbers mapped to names). */
  private static Set<String> targets(JsonNode svc) {
    Set<String> out = new TreeSet<>();
    for (JsonNode p : svc.path("spec").path("ports")) {
      String t = p.path("targetPort").asText(p.path("port").asText());
      for (JsonNode cp : container.path("ports")) {
        if (cp.path("containerPort").asText().equals(t)) t = cp.path("name").asText();
      }
      out.add(t);
    }
    return out;
  }

  private static long preStopSeconds() {
    JsonNode pre = container.path("lifecycle").path("preStop");
    if (pre.isMissingNode()) return 0;
    if (pre.has("sleep")) return pre.path("sleep").path("seconds").asLong();
    List<String> cmd = texts(pre.path("exec").path("command"));
    assertTrue(cmd.size() == 2 && cmd.get(0).matches("(/bin/|/usr/bin/)?sleep") && cmd.get(1).matches("\\d+"),
        "the test understands a preStop of sleep N only, not " + pre);
    return Long.parseLong(cmd.get(1));
  }

  private static void assertNotLoopback(String what, String host) {
    assertFalse(host.equals("localhost") || host.startsWith("127.") || host.equals("::1"),
        what + " is " + host + ": only the pod itself could reach it");
  }

  private static long seconds(String source, String regex, String what) {
    Matcher m = Pattern.compile(regex).matcher(source);
    assertTrue(m.find(), "cannot find " + what + "; update this test if it moved");
    return Long.parseLong(m.group(1));
  }

  private static String readmeKubernetes() {
    String readme = read(root.resolve("README.md"));
    int start = readme.indexOf("**Kubernetes**");
    assertTrue(start >= 0, "the README has no **Kubernetes** paragraph");
    int end = readme.indexOf("\n#", start);
    return readme.substring(start, end < 0 ? readme.length() : end).replaceAll("\\s+", " ");
  }

  private static String namespace() {
    return kustomization.path("namespace").asText("default");
  }

  private static List<JsonNode> ofKind(String kind) {
    return new ArrayList<>(objects.values().stream().filter(o -> o.path("kind").asText().equals(kind)).toList());
  }

  private static String name(JsonNode o) {
    return o.path("metadata").path("name").asText();
  }

  private static Map<String, String> labels(JsonNode n) {
    Map<String, String> out = new LinkedHashMap<>();
    n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<JsonNode> readAll(Path file) {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
      while (it.hasNext()) {
        JsonNode d = it.next();
        if (d != null && !d.isNull() && !(d instanceof MissingNode) && d.size() > 0) docs.add(d);
      }
    } catch (IOException e) {
      throw new AssertionError(file + " does not parse as YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }

  static Path repoRoot() {
    Path dir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("deploy/k8s/kustomization.yaml"))) return d;
    }
    throw new AssertionError("no deploy/k8s/kustomization.yaml above " + dir);
  }

  /** Unknown fields: each object's fields against a small allow-list per place (catches typos such as readinesProbe). */
  private static final class Typos {
    private final List<String> errors;

    Typos(List<String> errors) {
      this.errors = errors;
    }

    void check(JsonNode n, String where, Set<String> allowed) {
      if (n == null || n.isMissingNode() || n.isNull()) return;
      if (!n.isObject()) {
        errors.add(where + ": expected a mapping, found " + n.getNodeType());
        return;
      }
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!allowed.contains(f)) errors.add(where + ": unknown field '" + f + "'");
      }
    }

    void object(String where, JsonNode o) {
      String kind = o.path("kind").asText();
      Set<String> top = new HashSet<>(Set.of("apiVersion", "kind", "metadata"));
      top.addAll(switch (kind) {
        case "Role" -> Set.of("rules");
        case "RoleBinding" -> Set.of("subjects", "roleRef");
        case "ServiceAccount" -> Set.of("automountServiceAccountToken", "imagePullSecrets", "secrets");
        case "Secret" -> Set.of("type", "data", "stringData", "immutable");
        default -> Set.of("spec");
      });
      check(o, where + " (" + kind + ")", top);
      check(o.path("metadata"), where + " metadata", Set.of("name", "namespace", "labels", "annotations"));
      String at = where + " " + kind + " ";
      JsonNode spec = o.path("spec");
      switch (kind) {
        case "Deployment", "StatefulSet" -> {
          check(spec, at + "spec", Set.of("replicas", "selector", "strategy", "updateStrategy", "minReadySeconds", "template",
              "revisionHistoryLimit", "progressDeadlineSeconds", "paused", "serviceName", "podManagementPolicy",
              "volumeClaimTemplates", "persistentVolumeClaimRetentionPolicy"));
          check(spec.path("selector"), at + "spec.selector", Set.of("matchLabels", "matchExpressions"));
          check(spec.path("strategy"), at + "spec.strategy", Set.of("type", "rollingUpdate"));
          check(spec.path("strategy").path("rollingUpdate"), at + "spec.strategy.rollingUpdate", Set.of("maxSurge", "maxUnavailable"));
          check(spec.path("template"), at + "spec.template", Set.of("metadata", "spec"));
          check(spec.path("template").path("metadata"), at + "spec.template.metadata", Set.of("labels", "annotations"));
          pod(spec.path("template").path("spec"), at + "pod ");
        }
        case "Service" -> {
          check(spec, at + "spec", Set.of("selector", "ports", "clusterIP", "type", "publishNotReadyAddresses", "sessionAffinity",
              "externalTrafficPolicy", "internalTrafficPolicy", "loadBalancerClass", "ipFamilyPolicy"));
          spec.path("ports").forEach(p -> check(p, at + "spec.ports[]", Set.of("name", "port", "targetPort", "protocol", "nodePort", "appProtocol")));
        }
        case "PodDisruptionBudget" -> {
          check(spec, at + "spec", Set.of("selector", "minAvailable", "maxUnavailable", "unhealthyPodEvictionPolicy"));
          check(spec.path("selector"), at + "spec.selector", Set.of("matchLabels", "matchExpressions"));
        }
        case "PersistentVolumeClaim" -> {
          check(spec, at + "spec", Set.of("accessModes", "resources", "storageClassName", "volumeMode", "selector", "volumeName", "dataSource"));
          check(spec.path("resources"), at + "spec.resources", Set.of("requests", "limits"));
        }
        case "Role" -> o.path("rules").forEach(r -> check(r, at + "rules[]", Set.of("apiGroups", "resources", "verbs", "resourceNames")));
        case "RoleBinding" -> {
          o.path("subjects").forEach(s -> check(s, at + "subjects[]", Set.of("kind", "name", "namespace", "apiGroup")));
          check(o.path("roleRef"), at + "roleRef", Set.of("apiGroup", "kind", "name"));
        }
        default -> { }
      }
    }

    private void pod(JsonNode pod, String at) {
      check(pod, at + "spec", Set.of("containers", "initContainers", "volumes", "serviceAccountName", "terminationGracePeriodSeconds",
          "securityContext", "affinity", "topologySpreadConstraints", "nodeSelector", "tolerations", "priorityClassName",
          "enableServiceLinks", "automountServiceAccountToken", "imagePullSecrets", "dnsPolicy", "restartPolicy"));
      check(pod.path("securityContext"), at + "securityContext", Set.of("runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup",
          "fsGroupChangePolicy", "seccompProfile", "supplementalGroups"));
      pod.path("volumes").forEach(v -> check(v, at + "volumes[]", Set.of("name", "emptyDir", "persistentVolumeClaim", "configMap",
          "secret", "projected", "downwardAPI")));
      for (JsonNode c : pod.path("containers")) {
        String ct = at + "container " + c.path("name").asText() + " ";
        check(c, ct.trim(), Set.of("name", "image", "imagePullPolicy", "command", "args", "ports", "env", "envFrom", "resources",
            "volumeMounts", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "securityContext", "workingDir",
            "terminationMessagePolicy", "terminationMessagePath"));
        c.path("ports").forEach(p -> check(p, ct + "ports[]", Set.of("name", "containerPort", "protocol", "hostPort", "hostIP")));
        c.path("env").forEach(e -> {
          check(e, ct + "env[]", Set.of("name", "value", "valueFrom"));
          check(e.path("valueFrom"), ct + "env[].valueFrom", Set.of("fieldRef", "secretKeyRef", "configMapKeyRef", "resourceFieldRef"));
        });
        c.path("volumeMounts").forEach(m -> check(m, ct + "volumeMounts[]", Set.of("name", "mountPath", "readOnly", "subPath", "subPathExpr")));
        check(c.path("resources"), ct + "resources", Set.of("requests", "limits"));
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
          check(c.path(probe), ct + probe, Set.of("httpGet", "tcpSocket", "exec", "grpc", "initialDelaySeconds", "periodSeconds",
              "timeoutSeconds", "failureThreshold", "successThreshold", "terminationGracePeriodSeconds"));
          check(c.path(probe).path("httpGet"), ct + probe + ".httpGet", Set.of("path", "port", "scheme", "host", "httpHeaders"));
        }
        check(c.path("lifecycle"), ct + "lifecycle", Set.of("preStop", "postStart"));
        check(c.path("lifecycle").path("preStop"), ct + "lifecycle.preStop", Set.of("exec", "httpGet", "tcpSocket", "sleep"));
        check(c.path("securityContext"), ct + "securityContext", Set.of("allowPrivilegeEscalation", "readOnlyRootFilesystem",
            "capabilities", "runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "privileged"));
      }
    }
  }
}
