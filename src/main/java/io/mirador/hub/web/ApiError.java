package io.mirador.hub.web;

/** A request that cannot be served, with the HTTP status and the words the client gets. */
public final class ApiError extends RuntimeException {

  final int status;
  final String error;

  ApiError(int status, String error, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.error = error;
  }

  public static ApiError badRequest(String detail) {
    return new ApiError(400, "bad request", detail);
  }

  public static ApiError notFound(String detail) {
    return new ApiError(404, "not found", detail);
  }

  public static ApiError unauthorized(String detail) {
    return new ApiError(401, "unauthorized", detail);
  }

  public static ApiError forbidden(String detail) {
    return new ApiError(403, "forbidden", detail);
  }

  public static ApiError conflict(String detail) {
    return new ApiError(409, "conflict", detail);
  }
}
