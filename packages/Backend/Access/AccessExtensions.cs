using System.Globalization;
using System.Threading.RateLimiting;
using Hangfire;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Warehouses;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Lightdash.Net.Backend.Access;

/// <summary>
/// Registers Access: users and their tokens, projects and their members, warehouse logins, secrets at
/// rest, token authentication, per-user rate limits and the admin dashboard.
/// </summary>
public static class AccessExtensions
{
    /// <summary>
    /// Adds Access; at start-up (after the migrations, before any query runs) it encrypts stored secrets
    /// again under the current key, writes the configured projects and makes the configured admin.
    /// </summary>
    public static WebApplicationBuilder AddAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ProjectsOptions>().BindConfiguration(ProjectsOptions.Section);
        services.AddOptions<SecretsOptions>().BindConfiguration(SecretsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddTimeProvider();
        services.AddSingleton<SecretBox>();
        services.AddSingleton<StoredSecrets>();
        services.AddSingleton<IStoredSecretSet, AccessSecrets>();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<ProjectSeeder>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<MembershipStore>();
        services.AddSingleton<UserCredentialStore>();
        services.AddSingleton<ProjectAccess>();
        services.AddSingleton<TokenCache>();
        services.AddSingleton<IMetadataNotificationHandler, TokenRevocations>();
        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<WarehouseLogins>();
        services.AddSingleton<UserService>();
        services.AddSingleton<ProjectService>();
        services.AddSingleton<UserCredentialsService>();
        services.AddSingleton<IProjectWarehouses, ProjectWarehouses>();
        services.AddOptions<WarehouseSecurityOptions>().BindConfiguration(WarehouseSecurityOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var security = sp.GetRequiredService<IOptions<WarehouseSecurityOptions>>().Value;
            return new WarehouseClientFactory(
                new WarehouseSecurityPolicy(security.AllowPrivilegedLogins),
                new Warehouses.DuckDb.DuckDbLimits(security.DuckDbMemoryLimit, security.DuckDbThreads));
        });
        services.AddHostedService<AccessStartup>();
        services.AddTokenAuthentication();
        return builder;
    }

    /// <summary>Token authentication, the default policy, the organisation admins' policy and the per-caller request rate limit.</summary>
    private static void AddTokenAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(null)
            .SetDefaultPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build())
            .AddPolicy(ApiAuthentication.AdminsOnlyPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireClaim(CurrentUser.AdminClaim, "true"));
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

    private sealed class AccessStartup(StoredSecrets secrets, ProjectSeeder seeder, AdminBootstrap admins) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await secrets.RewrapAsync(cancellationToken);
            await seeder.SeedAsync(cancellationToken);
            await admins.EnsureAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static void TryAddTimeProvider(this IServiceCollection services)
    {
        if (services.All(d => d.ServiceType != typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
