package arca.rest;

import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcClientSettings;
import arca.rest.auth.Authenticator;

import java.util.function.Function;

/** What a REST module gets from the gateway: the system, authentication, and gRPC client settings per service. */
public record RestContext(ActorSystem<?> system, Authenticator auth, Function<String, GrpcClientSettings> clientSettings) {}
