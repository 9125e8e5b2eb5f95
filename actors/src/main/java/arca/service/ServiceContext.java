package arca.service;

import akka.actor.typed.ActorSystem;
import arca.grpc.Clients;
import arca.persistence.ServiceStorage;

/**
 * What a service gets from the node that starts it: the actor system, its own storage, and clients of the other
 * services it calls (found through cluster membership).
 */
public record ServiceContext(ActorSystem<?> system, ServiceStorage storage, Clients clients) {}
