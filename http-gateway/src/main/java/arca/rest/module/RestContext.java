package arca.rest.module;

import akka.actor.typed.ActorSystem;
import arca.grpc.Clients;
import arca.rest.auth.Authenticator;
import arca.grpc.Clients;

/** What a REST module gets from the gateway: the system, authentication, and clients of the services. */
public record RestContext(ActorSystem<?> system, Authenticator auth, Clients clients) {}
