package io.mirador.model;

import static io.mirador.model.InvalidEventException.require;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Body of the hub → agent events ({@code config}, {@code job}, {@code cancel}): an id and a payload their handler reads. */
public record Command(String id, ObjectNode payload) implements EventBody {

  @Override
  public void validate() {
    require(id != null && !id.isBlank(), "command id is required");
  }
}
