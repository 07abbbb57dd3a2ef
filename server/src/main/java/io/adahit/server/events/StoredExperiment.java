package io.adahit.server.events;

/**
 * An experiment definition as stored.
 *
 * @param definition the experiment as JSON
 * @param source "config" or "admin"
 * @param active false once stopped
 * @param updatedAt epoch milliseconds
 */
public record StoredExperiment(
    String name, String skill, String definition, String source, boolean active, long updatedAt) {}
