using Lightdash.Net.Backend.Platform;

namespace Lightdash.Net.Backend.Browser;

/// <summary>Serves the results browser: a small web page at <c>/</c> that works through the API with the person's own token.</summary>
public static class BrowserExtensions
{
    /// <summary>
    /// Scripts, styles and calls only from this server, no inline script or style, never framed; the
    /// page's links to presigned export files are navigations, which this policy does not restrict.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Registers the browser's files.</summary>
    public static WebApplicationBuilder AddBrowser(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<BrowserAssets>();
        return builder;
    }

    /// <summary>Maps <c>/</c> and <c>/browser/{file}</c> on an instance that serves the API.</summary>
    public static WebApplication MapBrowser(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<InstanceRoles>().ServesApi)
        {
            return app;
        }

        app.MapGet("/", (HttpContext context, BrowserAssets assets) => Serve(context, assets.Find("index.html")))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/browser/{file}", (string file, HttpContext context, BrowserAssets assets) => Serve(context, assets.Find(file)))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Serve(HttpContext context, BrowserAsset? asset)
    {
        if (asset is null)
        {
            throw new NotFoundException($"No such file of the results browser: {context.Request.Path}.");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Bytes, asset.MediaType);
    }
}
