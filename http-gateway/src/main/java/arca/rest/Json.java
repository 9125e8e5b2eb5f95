package arca.rest;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import scala.concurrent.duration.FiniteDuration;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.extractStrictEntity;
import static akka.http.javadsl.server.Directives.onComplete;

/** JSON in and out of the REST routes: strict parsing with errors that name the problem, and the error body. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
      .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true)
      .configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  static {
    // "login": 5 is a mistake, not the string "5" (Jackson 2.13 coerces scalars to String by default)
    MAPPER.registerModule(new SimpleModule("strict-strings").addDeserializer(String.class,
        new StdScalarDeserializer<String>(String.class) {
          @Override
          public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            return p.hasToken(JsonToken.VALUE_STRING) ? p.getText() : (String) ctx.handleUnexpectedToken(String.class, p);
          }
        }));
  }

  private static final long MAX_BODY = 1 << 20;

  private Json() {}

  public static HttpResponse response(StatusCode status, Object body) {
    try {
      return HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, MAPPER.writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse error(ApiError e) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", e.code);
    body.put("message", e.getMessage());
    return response(e.status, body);
  }

  public static Route fail(ApiError e) {
    return complete(error(e));
  }

  /** Completes with the stage's value as JSON, or with the mapped error. */
  public static <T> Route reply(CompletionStage<T> stage, StatusCode ok, Function<T, Object> body) {
    return onComplete(stage, t -> t.isSuccess()
        ? complete(response(ok, body.apply(t.get())))
        : complete(error(ApiError.of(t.failed().get()))));
  }

  public static <T> Route reply(CompletionStage<T> stage, Function<T, Route> inner) {
    return onComplete(stage, t -> t.isSuccess() ? inner.apply(t.get()) : complete(error(ApiError.of(t.failed().get()))));
  }

  /** Reads the request body as a JSON object of the given record type; 400/415 naming the problem otherwise. */
  public static <T> Route body(Class<T> type, Function<T, Route> inner) {
    return extractRequest(req -> {
      if (!req.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_JSON)) {
        return fail(new ApiError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
            "the request body must be application/json"));
      }
      if (req.entity().getContentLengthOption().orElse(0L) > MAX_BODY) {
        return fail(new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", "the request body exceeds 1 MiB"));
      }
      return extractStrictEntity(FiniteDuration.apply(10, TimeUnit.SECONDS), strict -> {
        T value;
        try {
          value = MAPPER.readValue(strict.getData().toArray(), type);
        } catch (IOException e) {
          return fail(ApiError.badRequest(describe(e)));
        }
        if (value == null) return fail(ApiError.badRequest("the request body must be a JSON object"));
        return inner.apply(value);
      });
    });
  }

  static String describe(IOException e) {
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + u.getPropertyName() + "'";
    }
    if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "' has the wrong type";
    }
    if (e instanceof MismatchedInputException) {
      return "the request body must be a JSON object";
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "' is invalid";
    }
    String msg = e.getMessage() == null ? "" : e.getMessage().split("\n")[0];
    return "malformed JSON: " + msg;
  }

  private static String path(JsonMappingException m) {
    return m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** Reads a query parameter as a bounded integer; 400 naming the parameter otherwise. */
  public static int intParam(Optional<String> raw, String name, int def, int min, int max) {
    if (raw.isEmpty() || raw.get().isEmpty()) return def;
    try {
      int v = Integer.parseInt(raw.get());
      if (v < min || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be an integer from " + min + " to " + max);
    }
  }
}
