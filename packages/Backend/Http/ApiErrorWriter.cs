using Lightdash.Net.Backend.Contracts;

namespace Lightdash.Net.Backend.Http;

/// <summary>Writes the error envelope for answers that no route or exception produced (status codes of the framework, guards).</summary>
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

    /// <summary>Sets the status and writes the envelope with <paramref name="message"/>.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        return context.Response.WriteAsJsonAsync(
            new ApiErrorResponse { Error = new ApiError { Name = NameOf(statusCode), StatusCode = statusCode, Message = message } },
            context.RequestAborted);
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
