package arca.rest.files;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which stored types are shown inline, and what a file's answer carries. */
class UserContentTest {

  @ParameterizedTest
  @ValueSource(strings = {"text/html", "text/html; charset=utf-8", "image/svg+xml", "application/xhtml+xml", "text/xml",
      "application/xml", "application/atom+xml", "text/javascript", "application/javascript", "application/pdf",
      "text/css", "application/octet-stream", "application/x-unknown", "", "TEXT/HTML", "multipart/x-mixed-replace"})
  void activeUnknownAndMissingTypesAreNotPassive(String type) {
    assertFalse(UserContent.passive(type), type);
  }

  @ParameterizedTest
  @ValueSource(strings = {"image/png", "image/jpeg", "image/gif", "image/webp", "text/plain; charset=utf-8", "audio/mpeg",
      "video/mp4", "IMAGE/PNG"})
  void passiveTypesMayBeShownInline(String type) {
    assertTrue(UserContent.passive(type), type);
  }

  @Test
  void anHtmlFileIsASandboxedAttachmentKeepingItsType() {
    HttpResponse r = UserContent.serve(HttpResponse.create().withEntity(
        HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, "<script>alert(1)</script>")), "pa\"ge\u0001é.html");
    assertEquals("text/html; charset=UTF-8", r.entity().getContentType().toString());
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options").orElseThrow().value());
    assertTrue(r.getHeader("Content-Security-Policy").orElseThrow().value().startsWith("sandbox;"));
    assertEquals("attachment; filename=\"pa_ge__.html\"; filename*=UTF-8''pa%22ge%01%C3%A9.html",
        r.getHeader("Content-Disposition").orElseThrow().value());
  }

  @Test
  void aPngStaysInline() {
    HttpResponse r = UserContent.serve(HttpResponse.create().withEntity(
        HttpEntities.create(ContentTypes.create(MediaTypes.IMAGE_PNG), new byte[] {1})), "a.png");
    assertTrue(r.getHeader("Content-Disposition").isEmpty());
    assertEquals("nosniff", r.getHeader("X-Content-Type-Options").orElseThrow().value());
  }
}
