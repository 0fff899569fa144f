using Microsoft.AspNetCore.Diagnostics;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Maps every exception that escapes a request to the error envelope, once, for all routes.</summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ApiError error;
        if (exception is UnavailableException unavailable)
        {
            // A service the backend needs failed or is unreachable: the caller may retry; the server stays up.
            logger.LogWarning(unavailable, "{Name} on {Method} {Path}", unavailable.Name, httpContext.Request.Method, httpContext.Request.Path);
            error = new ApiError { Name = unavailable.Name, StatusCode = unavailable.StatusCode, Message = unavailable.Message };
        }
        else if (exception is ApiException api)
        {
            if (api is TooManyRequestsException { RetryAfter: { } retryAfter })
            {
                httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            error = new ApiError { Name = api.Name, StatusCode = api.StatusCode, Message = api.Message, Data = api.ErrorData };
        }
        else if (exception is Semantic.AccessDeniedException denied)
        {
            // The caller's user attributes do not allow an explore, field or variable the query needs.
            error = new ApiError { Name = "ForbiddenError", StatusCode = StatusCodes.Status403Forbidden, Message = denied.Message };
        }
        else if (exception is Semantic.MetricQueryException invalid)
        {
            error = new ApiError { Name = "ParameterError", StatusCode = StatusCodes.Status400BadRequest, Message = invalid.Message };
        }
        else if (exception is Warehouses.WarehouseQueryException warehouse)
        {
            // A query the request ran on the warehouse itself (field values, parameter options) failed.
            error = new ApiError { Name = "WarehouseQueryError", StatusCode = StatusCodes.Status502BadGateway, Message = warehouse.Message };
        }
        else if (exception is BadHttpRequestException bad)
        {
            error = new ApiError { Name = "ParameterError", StatusCode = bad.StatusCode, Message = bad.Message };
        }
        else if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody reads an answer.
            return true;
        }
        else
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            error = new ApiError
            {
                Name = "UnexpectedServerError",
                StatusCode = StatusCodes.Status500InternalServerError,
                Message = "Something went wrong on the server; the error is logged.",
            };
        }

        await ApiErrorWriter.WriteAsync(httpContext, error.StatusCode, error.Message, error.Name, error.Data, cancellationToken);
        return true;
    }
}
