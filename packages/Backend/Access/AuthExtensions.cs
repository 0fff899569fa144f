using System.Globalization;
using System.Threading.RateLimiting;
using Hangfire;
using Lightdash.Net.Backend.Platform;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>Registers identities: token authentication, project roles, per-user rate limits, the admin dashboard.</summary>
public static class AuthExtensions
{
    /// <summary>Adds authentication by personal access token, authorization, and the request rate limit.</summary>
    public static WebApplicationBuilder AddAuth(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddTimeProvider();
        services.AddSingleton<UserStore>();
        services.AddSingleton<MembershipStore>();
        services.AddSingleton<ProjectAccess>();
        services.AddSingleton<TokenCache>();
        services.AddSingleton<AdminBootstrap>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(null)
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var path = context.Request.Path;
                if (path.StartsWithSegments("/health") || path.StartsWithSegments("/swagger"))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                var perMinute = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.RequestsPerMinute;
                var caller = context.User.FindFirst(CurrentUser.UserUuidClaim)?.Value ?? $"address:{context.Connection.RemoteIpAddress}";
                return RateLimitPartition.GetFixedWindowLimiter(caller, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = (int)Math.Ceiling(retryAfter.TotalSeconds);
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await ApiErrorWriter.WriteAsync(
                    rejected.HttpContext, StatusCodes.Status429TooManyRequests, $"Too many requests; try again in {seconds} s.", cancellationToken: cancellationToken);
            };
        });
        return builder;
    }

    private static bool IsDashboardAction(HttpRequest request) =>
        HttpMethods.IsPost(request.Method) || request.Path.Value?.EndsWith("/stats", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Authenticates every request, applies the rate limit, and serves the Hangfire dashboard to admins.</summary>
    public static WebApplication UseAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();

        // A browser cannot send an Authorization header to the dashboard: /hangfire?token=… stores the
        // token in an HTTP-only cookie for the dashboard's own requests, then drops it from the address.
        // The token was authenticated like any other (before the rate limiter, so that a valid admin's
        // login counts against the admin, never against an address flooded with bad tokens); the cookie
        // is set only for an organisation admin's valid token.
        app.Use(async (context, next) =>
        {
            if (ApiKeyAuthenticationHandler.IsDashboardLogin(context.Request, out var token))
            {
                if (context.User.Identity?.IsAuthenticated != true || !CurrentUser.From(context.User).IsAdmin)
                {
                    var status = context.User.Identity?.IsAuthenticated == true ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
                    context.Response.StatusCode = status;
                    await ApiErrorWriter.WriteAsync(
                        context,
                        status,
                        status == StatusCodes.Status401Unauthorized ? "The token is not valid." : "The Hangfire dashboard is for organisation admins only.");
                    return;
                }

                context.Response.Cookies.Append(ApiKeyAuthenticationHandler.CookieName, token!, new CookieOptions
                {
                    HttpOnly = true,
                    SameSite = SameSiteMode.Strict,
                    Path = ApiKeyAuthenticationHandler.DashboardPath,
                    Secure = context.Request.IsHttps,
                });
                context.Response.Redirect(context.Request.PathBase + context.Request.Path);
                return;
            }

            // The dashboard's actions (stats, retry, delete...) read a form and fail on anything else.
            if (context.Request.Path.StartsWithSegments(ApiKeyAuthenticationHandler.DashboardPath) && IsDashboardAction(context.Request) && !context.Request.HasFormContentType)
            {
                await ApiErrorWriter.WriteAsync(context, StatusCodes.Status400BadRequest, "The dashboard's actions take a form POST (Content-Type: application/x-www-form-urlencoded).");
                return;
            }

            await next();
        });
        app.UseHangfireDashboard(ApiKeyAuthenticationHandler.DashboardPath, new DashboardOptions
        {
            Authorization = [new HangfireDashboardAccess()],
            DisplayStorageConnectionString = false,
            DashboardTitle = "Lightdash.Net queries",
        });
        return app;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
