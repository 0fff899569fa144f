namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// The one writer of the error envelope: the exception handler, model validation, authentication, the
/// rate limiter, the request guard and the framework's empty answers all write it through here (and
/// Kestrel's own rejections copy its shape, <see cref="KestrelRejectionEnvelope"/>).
/// </summary>
public static class ApiErrorWriter
{
    /// <summary>The envelope's name for a status code.</summary>
    public static string NameOf(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => "ParameterError",
        StatusCodes.Status401Unauthorized => "AuthorizationError",
        StatusCodes.Status403Forbidden => "ForbiddenError",
        StatusCodes.Status404NotFound => "NotFoundError",
        StatusCodes.Status405MethodNotAllowed => "MethodNotAllowedError",
        StatusCodes.Status406NotAcceptable => "NotAcceptableError",
        StatusCodes.Status408RequestTimeout => "RequestTimeoutError",
        StatusCodes.Status409Conflict => "ConflictError",
        StatusCodes.Status411LengthRequired => "LengthRequiredError",
        StatusCodes.Status413PayloadTooLarge => "PayloadTooLargeError",
        StatusCodes.Status414RequestUriTooLong => "UriTooLongError",
        StatusCodes.Status415UnsupportedMediaType => "UnsupportedMediaTypeError",
        StatusCodes.Status429TooManyRequests => "TooManyRequestsError",
        _ => statusCode >= 500 ? "UnexpectedServerError" : "RequestError",
    };

    /// <summary>The envelope of an error: its name is the status code's unless given.</summary>
    public static ApiErrorResponse Envelope(int statusCode, string message, string? name = null, object? data = null) =>
        new() { Error = new ApiError { Name = name ?? NameOf(statusCode), StatusCode = statusCode, Message = message, Data = data } };

    /// <summary>Sets the status and writes the envelope with <paramref name="message"/>.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string message, string? name = null, object? data = null, CancellationToken cancellationToken = default)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(Envelope(statusCode, message, name, data), cancellationToken == default ? context.RequestAborted : cancellationToken);
    }

    /// <summary>The message for an empty error answer of the framework.</summary>
    public static string DefaultMessage(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"No route {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed =>
            $"{context.Request.Method} is not allowed on {context.Request.Path}{(context.Response.Headers.Allow.Count > 0 ? $"; it takes {context.Response.Headers.Allow}" : "")}.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON, with the header Content-Type: application/json.",
        StatusCodes.Status413PayloadTooLarge => "The body is too large.",
        StatusCodes.Status414RequestUriTooLong => "The URL is too long.",
        _ => $"The request failed ({context.Response.StatusCode}).",
    };
}
