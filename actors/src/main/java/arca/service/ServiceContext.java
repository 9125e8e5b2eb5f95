package arca.service;

import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcClientSettings;
import arca.persistence.ServiceStorage;

import java.util.function.Function;

/**
 * What a service gets from the node that starts it: the actor system, its own storage, and client settings for
 * the other services it calls (by service name, resolved through discovery).
 */
public record ServiceContext(ActorSystem<?> system, ServiceStorage storage,
                             Function<String, GrpcClientSettings> clientSettings) {}
