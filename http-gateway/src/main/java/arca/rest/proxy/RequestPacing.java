package arca.rest.proxy;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.ResponseEntity;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.Source;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Bounds how long one connection may wait for a request: its first request's headers must arrive within
 * {@code headerTimeout} of the connection opening, and each next one within {@code keepAliveTimeout} of the end of
 * the previous answer (its last byte sent). Otherwise the connection is closed. This is what stops slow-header
 * clients (a few bytes a second keep Akka HTTP's idle timeout from firing) and idle connections from holding the
 * node's connections; a request being answered, however long its upload or download, is never cut.
 * Sits between the HTTP layer (requests in, responses out) and the route's flow.
 */
final class RequestPacing extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private static final String WAITING = "waiting-for-request";

  private final Inlet<HttpRequest> requestsIn = Inlet.create("RequestPacing.requestsIn");
  private final Outlet<HttpRequest> requestsOut = Outlet.create("RequestPacing.requestsOut");
  private final Inlet<HttpResponse> responsesIn = Inlet.create("RequestPacing.responsesIn");
  private final Outlet<HttpResponse> responsesOut = Outlet.create("RequestPacing.responsesOut");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(requestsIn, requestsOut, responsesIn, responsesOut);
  private final Duration headerTimeout;
  private final Duration keepAliveTimeout;

  RequestPacing(Duration headerTimeout, Duration keepAliveTimeout) {
    this.headerTimeout = headerTimeout;
    this.keepAliveTimeout = keepAliveTimeout;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests taken whose answer has not been sent to its end. */
      private int outstanding;
      /** Whether each request taken and not yet answered is a HEAD (its answer's entity is never read: no end to see). */
      private final ArrayDeque<Boolean> heads = new ArrayDeque<>();
      private AsyncCallback<Boolean> answered;

      {
        setHandler(requestsIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            outstanding++;
            cancelTimer(WAITING);
            HttpRequest request = grab(requestsIn);
            heads.addLast(request.method().equals(HttpMethods.HEAD));
            push(requestsOut, request);
          }

          @Override
          public void onUpstreamFinish() {
            complete(requestsOut);
          }
        });
        setHandler(requestsOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(requestsIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(requestsIn, cause);
          }
        });
        setHandler(responsesIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            boolean head = Boolean.TRUE.equals(heads.pollFirst());
            push(responsesOut, watched(grab(responsesIn), head));
          }

          @Override
          public void onUpstreamFinish() {
            complete(responsesOut);
          }
        });
        setHandler(responsesOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(responsesIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(responsesIn, cause);
          }
        });
      }

      @Override
      public void preStart() {
        answered = createAsyncCallback(x -> answerEnded());
        scheduleOnce(WAITING, headerTimeout);
      }

      private void answerEnded() {
        outstanding--;
        if (outstanding == 0 && !isClosed(requestsIn)) scheduleOnce(WAITING, keepAliveTimeout);
      }

      /** The response, with its entity reporting its end (sent, or abandoned) to this stage. */
      private HttpResponse watched(HttpResponse response, boolean head) {
        ResponseEntity e = response.entity();
        if (head || e.isKnownEmpty() || e.isStrict()) {
          answerEnded();
          return response;
        }
        Source<ByteString, ?> data = e.getDataBytes().watchTermination((m, done) -> {
          done.whenComplete((d, failure) -> answered.invoke(true));
          return m;
        });
        ResponseEntity entity = e.isDefault()
            ? HttpEntities.create(e.getContentType(), e.getContentLengthOption().getAsLong(), data)
            : e.isChunked() ? HttpEntities.createChunked(e.getContentType(), data)
            : HttpEntities.createCloseDelimited(e.getContentType(), data);
        return response.withEntity(entity);
      }

      @Override
      public void onTimer(Object key) {
        // nothing is being answered: closing here cuts nothing
        completeStage();
      }
    };
  }
}
