using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Refuses, before any route sees them, requests no route could serve safely: a URL or body over the
/// limits (414, 413), and text holding the NUL character anywhere (path, query, JSON body: 400), which
/// no warehouse or metadata text type stores. Every refusal is in the error envelope.
/// </summary>
public sealed class RequestGuardMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    private readonly RequestLimitsOptions _limits = options.Value;

    /// <summary>Checks the request, then hands it on.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var urlLength = request.Path.Value?.Length + request.QueryString.Value?.Length ?? 0;
        if (urlLength > _limits.MaxUrlLength)
        {
            await ApiErrorWriter.WriteAsync(
                context, StatusCodes.Status414RequestUriTooLong, $"The URL is {urlLength} characters long; at most {_limits.MaxUrlLength} are accepted. Send large inputs in a JSON body.");
            return;
        }

        if (request.ContentLength > _limits.MaxBodyBytes)
        {
            await ApiErrorWriter.WriteAsync(
                context, StatusCodes.Status413PayloadTooLarge, $"The body is {request.ContentLength} bytes; at most {_limits.MaxBodyBytes} are accepted.");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            // A body without Content-Length is cut at the same limit while it is read.
            bodySize.MaxRequestBodySize = _limits.MaxBodyBytes;
        }

        if (request.Path.Value?.Contains('\0', StringComparison.Ordinal) == true
            || request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
        {
            await ApiErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, NulMessage);
            return;
        }

        if (request.HasJsonContentType() && await JsonBodyHoldsNulAsync(request, context.RequestAborted))
        {
            await ApiErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, NulMessage);
            return;
        }

        await next(context);
    }

    private const string NulMessage = "Text cannot hold the NUL character (\\u0000); remove it from the request.";

    // JSON writes NUL only as the escape \u0000; an escape is one whose backslash is not itself escaped.
    // The body is buffered (it is bounded by MaxBodyBytes) so that the route reads it again.
    private async Task<bool> JsonBodyHoldsNulAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: _limits.MaxBodyBytes);
        var found = false;
        var backslashes = 0; // consecutive backslashes just before the current byte
        var zeros = -1;      // inside a \u escape: how many of its digits were 0 so far
        var buffer = new byte[16 * 1024];
        int read;
        try
        {
            while (!found && (read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                for (var i = 0; i < read && !found; i++)
                {
                    var b = buffer[i];
                    if (zeros >= 0)
                    {
                        zeros = b == (byte)'0' ? zeros + 1 : -1;
                        found = zeros == 4;
                        continue;
                    }

                    if (b == (byte)'\\')
                    {
                        backslashes++;
                        continue;
                    }

                    zeros = b == (byte)'u' && backslashes % 2 == 1 ? 0 : -1;
                    backslashes = 0;
                }
            }
        }
        catch (BadHttpRequestException)
        {
            // Over the body limit: the route's own read reports it (413).
        }

        request.Body.Position = 0;
        return found;
    }
}
