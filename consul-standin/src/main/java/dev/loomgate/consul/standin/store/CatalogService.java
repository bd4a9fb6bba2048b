package dev.loomgate.consul.standin.store;

/** A registered service with its Raft indexes. */
public record CatalogService(ServiceDefinition definition, long createIndex, long modifyIndex) {
}
