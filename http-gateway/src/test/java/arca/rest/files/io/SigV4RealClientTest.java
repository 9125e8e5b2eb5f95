package arca.rest.files.io;

import arca.rest.files.io.SigV4.Secret;
import arca.rest.files.io.SigV4Result.Rejected;
import arca.rest.files.io.SigV4Result.Verified;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Requests captured on the wire from the real clients the gateway must serve (s3cmd 2.3.0 and rclone 1.60.1,
 * path style, against a recording server on loopback), with keys holding spaces, {@code & = + ~ ( ) ! * '} and
 * non-ASCII: multipart upload, listing, multi-object delete, and an rclone presigned link.
 */
class SigV4RealClientTest {
  static final String AKID = "AKIDARCATEST";
  static final String SECRET = "arca/secret+key=example";

  /** One request as the server saw it: the request target as sent and the headers in arrival order. */
  record Captured(String client, String method, String target, List<String> headers) {
    SigV4Request request() {
      Map<String, List<String>> h = new LinkedHashMap<>();
      for (String line : headers) {
        int colon = line.indexOf(':');
        h.computeIfAbsent(line.substring(0, colon), n -> new ArrayList<>()).add(line.substring(colon + 1).trim());
      }
      int q = target.indexOf('?');
      return q < 0 ? new SigV4Request(method, target, "", h)
          : new SigV4Request(method, target.substring(0, q), target.substring(q + 1), h);
    }

    Instant time() {
      String amzDate = request().header("x-amz-date").orElseGet(() -> target.replaceAll(".*X-Amz-Date=([0-9TZ]+).*", "$1"));
      return Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(amzDate));
    }

    @Override public String toString() { return client + " " + method + " " + target; }
  }

  static SigV4 verifier(Instant now, String secret) {
    return new SigV4(id -> id.equals(AKID) ? Optional.of(new Secret(secret)) : Optional.empty(), Clock.fixed(now, ZoneOffset.UTC));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("captured")
  void verifies(Captured c) {
    Verified v = assertInstanceOf(Verified.class, verifier(c.time(), SECRET).verify(c.request()));
    assertEquals(AKID, v.accessKeyId());
  }

  @ParameterizedTest(name = "{0}") @MethodSource("captured")
  void refusesWithAnotherSecretOrAnotherKey(Captured c) {
    Rejected r = assertInstanceOf(Rejected.class, verifier(c.time(), SECRET + "x").verify(c.request()));
    assertEquals("SignatureDoesNotMatch", r.code());
    SigV4Request otherKey = new SigV4Request(c.method(), c.request().rawPath().replace("%C3%A9", "e"), c.request().rawQuery(), c.request().headers());
    if (!otherKey.rawPath().equals(c.request().rawPath())) {
      assertEquals("SignatureDoesNotMatch", assertInstanceOf(Rejected.class, verifier(c.time(), SECRET).verify(otherKey)).code());
    }
  }

  static List<Captured> captured() {
    return List.of(
      new Captured("s3cmd 2.3.0", "PUT", "/io/common/docs/a%20b%26c%3Dd%2Be~f%281%29%21%2A%27%C3%A9/%E6%97%A5%E6%9C%AC.txt",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-s3cmd-attrs;x-amz-storage-class,Signature=f4dd0faef9227b727238785f55b95596f302a1dd89204637ba9eb472226aabd4", "content-length: 5", "content-type: text/plain", "x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "x-amz-date: 20261123T214210Z", "x-amz-meta-s3cmd-attrs: atime:1795469973/ctime:1795469972/gid:0/gname:root/md5:5d41402abc4b2a76b9719d911017c592/mode:33188/mtime:1795469972/uid:0/uname:root", "x-amz-storage-class: STANDARD")),
      new Captured("s3cmd 2.3.0", "GET", "/io/?delimiter=%2F&prefix=common%2Fdocs%2Fa%20b%26c%2F",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Content-Length: 0", "x-amz-date: 20261123T214210Z", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=b6df9c9c4d62294061f69208678369eb861fa6fa350f98995a8da8770e374a92", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
      new Captured("rclone 1.60.1", "HEAD", "/io/common/docs/a%20b%26c%3Dd%2Be~f%281%29%21%2A%27%C3%A9/%E6%97%A5%E6%9C%AC.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=c8db899c637d69f5c8019e836fb672aec975bdb230ece2873c102499db7a01de", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214210Z")),
      new Captured("rclone 1.60.1", "PUT", "/io",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 0", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-acl;x-amz-content-sha256;x-amz-date, Signature=ea66c2b960817170a7442dcad3aa17ca47494237090fb808d3ce705d12db08f3", "X-Amz-Acl: private", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214210Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "PUT", "/io/common/docs/a%20b%26c%3Dd%2Be~f%281%29%21%2A%27%C3%A9/%E6%97%A5%E6%9C%AC.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 5", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-mtime, Signature=7c288e7227292a26f29c19767420e9ed9049d1312adc4a97a25e34b895cf8648", "Content-Md5: XUFAKrxLKna5cZ2REBfFkg==", "Content-Type: text/plain; charset=utf-8", "X-Amz-Acl: private", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "X-Amz-Date: 20261123T214210Z", "X-Amz-Meta-Mtime: 1795469972.004533546", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "HEAD", "/io/common/docs/a%20b%26c%3Dd%2Be~f%281%29%21%2A%27%C3%A9/%E6%97%A5%E6%9C%AC.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=c8db899c637d69f5c8019e836fb672aec975bdb230ece2873c102499db7a01de", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214210Z")),
      new Captured("rclone 1.60.1", "GET", "/io?delimiter=%2F&max-keys=1000&prefix=common%2Fdocs%2Fa%20b%26c%3Dd%2F",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=6bbcb5081d681b464c8c8f005ac88890467bb2b56300670872189eec0aadb641", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214211Z", "Accept-Encoding: gzip")),
      new Captured("s3cmd 2.3.0", "GET", "/io/?prefix=mp%2F",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Content-Length: 0", "x-amz-date: 20261123T214204Z", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=5118a9303dafb809e38a869e7b16c637c859952807808224295764c1b90ff7e7", "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")),
      new Captured("s3cmd 2.3.0", "POST", "/io/?delete",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Content-Length: 151", "content-md5: 8dX0kiHj0sMvGtQwa3+JJw==", "content-type: application/xml", "x-amz-date: 20261123T214204Z", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date,Signature=5bfbb436e6f6133af5a71536be778df6b1e3b3dbf75979d58fedda1364f79e8d", "x-amz-content-sha256: 05a0d4a6488eecb71166cb88282bbc9032bab36c405725925b1af941353ac2a7")),
      new Captured("rclone 1.60.1", "HEAD", "/io/share/a%20b%2Bc%3D%C3%A9.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=eb75a58328e4495631ce709f75d95e577fe08d911fb3ed487f98b9284533dbc0", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214204Z")),
      new Captured("rclone 1.60.1", "HEAD", "/io/share/a%20b%2Bc%3D%C3%A9.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=eb75a58328e4495631ce709f75d95e577fe08d911fb3ed487f98b9284533dbc0", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214204Z")),
      new Captured("rclone 1.60.1", "HEAD", "/io/mp/r%26s%20%C3%A9.bin",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=7ecdac7d5ced743c1baf3341e14799ac2c4f012c438cc4b949a06a77da5ae4a9", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214204Z")),
      new Captured("rclone 1.60.1", "PUT", "/io",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 0", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-acl;x-amz-content-sha256;x-amz-date, Signature=4435afcbd754f0be37c76b2817078222a2e2f63aa725c55733b02335d2824182", "X-Amz-Acl: private", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214204Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "POST", "/io/mp/r%26s%20%C3%A9.bin?uploads=",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 0", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-md5chksum;x-amz-meta-mtime, Signature=b81c682a4b89b452e8d88e4b5f688da011a7f0491d8d5d2c080de9f72f65ef8c", "Content-Type: application/octet-stream", "X-Amz-Acl: private", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214204Z", "X-Amz-Meta-Md5chksum: 75YfR1FqAd/FHWosm/apJw==", "X-Amz-Meta-Mtime: 1795469990.95727147", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "PUT", "/io/mp/r%26s%20%C3%A9.bin?partNumber=2&uploadId=u1~x%3Dy",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 757120", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;host;x-amz-content-sha256;x-amz-date, Signature=94ad547f2bc3846e213c5ee04e31b6f9bf69628ea4b89b3c12f6e7148c34c0f3", "Content-Md5: Ji0t/sU5Yusht2iaT043iw==", "X-Amz-Content-Sha256: 444e989b66664fe92cf627019ba3b26f63365d54272968a940276f975521a438", "X-Amz-Date: 20261123T214204Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "PUT", "/io/mp/r%26s%20%C3%A9.bin?partNumber=1&uploadId=u1~x%3Dy",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 5242880", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;host;x-amz-content-sha256;x-amz-date, Signature=a353bfa618a1dd8174fb1c84cbfe8afa50ed1b4860bb89c569c2d3fcbc7c3d45", "Content-Md5: uGmfVSt3HZ5Zd4m6+gW3BA==", "Expect: 100-Continue", "X-Amz-Content-Sha256: be9a44ed24c0182a3a2fbed1b76197c1ac6d195018d51695c18f704aee70d78c", "X-Amz-Date: 20261123T214204Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "POST", "/io/mp/r%26s%20%C3%A9.bin?uploadId=u1~x%3Dy",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 287", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;host;x-amz-content-sha256;x-amz-date, Signature=f3e971fc7102a0ff6e15d3b05ff86223d6183b9a0bbb6a99e7b546e8cfcf56a6", "X-Amz-Content-Sha256: e6c2f02fa2e83ad5baec84d3f295e2e7a0ba36956b35b3e6675b51934b960742", "X-Amz-Date: 20261123T214205Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "HEAD", "/io/mp/r%26s%20%C3%A9.bin",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=a5d600bfa80ab1dd6dbabab4885f79fa6dbe0181de87cbfd2b7dbbd9559e1347", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214205Z")),
      new Captured("s3cmd 2.3.0", "PUT", "/io/odd/k%24%40%3A%2C%3B%5B%5D%7B%7D%5E%7C%60%23%2525%20100%25.txt",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-s3cmd-attrs;x-amz-storage-class,Signature=e51ea9812370fd878ad80a590ee1275dbd9a7a7fb80b796afa89e5c2b476aeaf", "content-length: 5", "content-type: text/plain", "x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "x-amz-date: 20261123T214823Z", "x-amz-meta-s3cmd-attrs: atime:1795469973/ctime:1795469972/gid:0/gname:root/md5:5d41402abc4b2a76b9719d911017c592/mode:33188/mtime:1795469972/uid:0/uname:root", "x-amz-storage-class: STANDARD")),
      new Captured("s3cmd 2.3.0", "PUT", "/io/sp/a%20%20b//c.txt",
          List.of("Host: 127.0.0.1:18931", "Accept-Encoding: identity", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request,SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-s3cmd-attrs;x-amz-storage-class,Signature=2bf6bbfcfd6c88e551b5dfb33ad78195599b3cb9f9b578a2f05e463ebc932d4a", "content-length: 5", "content-type: text/plain", "x-amz-content-sha256: 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", "x-amz-date: 20261123T214823Z", "x-amz-meta-s3cmd-attrs: atime:1795469973/ctime:1795469972/gid:0/gname:root/md5:5d41402abc4b2a76b9719d911017c592/mode:33188/mtime:1795469972/uid:0/uname:root", "x-amz-storage-class: STANDARD")),
      new Captured("rclone 1.60.1", "HEAD", "/io/odd/k%24%40%3A%2C%3B%5B%5D%7B%7D%5E%7C%60%23%2525%20100%25.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=70cc56b69b3c144af6f6b120d7000d4cc537f87721e45be09c89320464285972", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214824Z")),
      new Captured("rclone 1.60.1", "PUT", "/io/odd/k%24%40%3A%2C%3B%5B%5D%7B%7D%5E%7C%60%23%2525%20100%25.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 5", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-mtime, Signature=276c790606fa9b87f36ee8f7a82e8b53407c752635c4fd4ee4076400beb2d23c", "Content-Md5: XUFAKrxLKna5cZ2REBfFkg==", "Content-Type: text/plain; charset=utf-8", "X-Amz-Acl: private", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "X-Amz-Date: 20261123T214824Z", "X-Amz-Meta-Mtime: 1795469972.004533546", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "HEAD", "/io/odd/k%24%40%3A%2C%3B%5B%5D%7B%7D%5E%7C%60%23%2525%20100%25.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=70cc56b69b3c144af6f6b120d7000d4cc537f87721e45be09c89320464285972", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214824Z")),
      new Captured("rclone 1.60.1", "HEAD", "/io/sp/a%20%20b/c.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=7789047276279ac31774716785c00bd7a8bc05e3fc30dec21759507a9d8897d4", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214824Z")),
      new Captured("rclone 1.60.1", "PUT", "/io/sp/a%20%20b/c.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Content-Length: 5", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=content-length;content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-mtime, Signature=25ef6a4a48c16b2cb53cbf54bbcb51790e0023d0540a3b66712f3619d34ff59c", "Content-Md5: XUFAKrxLKna5cZ2REBfFkg==", "Content-Type: text/plain; charset=utf-8", "X-Amz-Acl: private", "X-Amz-Content-Sha256: UNSIGNED-PAYLOAD", "X-Amz-Date: 20261123T214824Z", "X-Amz-Meta-Mtime: 1795469972.004533546", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1", "HEAD", "/io/sp/a%20%20b/c.txt",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=7789047276279ac31774716785c00bd7a8bc05e3fc30dec21759507a9d8897d4", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214824Z")),
      new Captured("rclone 1.60.1", "GET", "/io?delimiter=%2F&max-keys=1000&prefix=odd%2Fk%24%40%3A%2C%3B%5B%5D%20x%2F",
          List.of("Host: 127.0.0.1:18931", "User-Agent: rclone/", "Authorization: AWS4-HMAC-SHA256 Credential=AKIDARCATEST/20261123/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=5ca19419ad61f13fc3f07742ab15babb367e3835a5532df44c008a11b4dd96a8", "X-Amz-Content-Sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "X-Amz-Date: 20261123T214824Z", "Accept-Encoding: gzip")),
      new Captured("rclone 1.60.1 link", "GET",
          "/io/share/a%20b%2Bc%3D%C3%A9.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDARCATEST%2F20261123%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261123T214204Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=d39ef53dae29078f5a96b4fe86058b51aea6f054d03b7e6366e569589c56ae16",
          List.of("Host: 127.0.0.1:18931")));
  }
}
