package io.mirador.hub.alert.notify;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/** What a plugin may use to send: the alert verticle's Vert.x and its one HTTP client (pooled, shared by every notifier). */
public record NotifierContext(Vertx vertx, HttpClient http) {
}
