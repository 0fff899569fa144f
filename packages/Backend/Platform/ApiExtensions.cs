using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.OpenApi;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Registers the HTTP surface: controllers, the error envelope and Swagger.</summary>
public static class ApiExtensions
{
    /// <summary>The OpenAPI document's name, served at <c>/swagger/{name}/swagger.json</c>.</summary>
    public const string OpenApiDocumentName = "v1";

    /// <summary>The tag of the health checks that say whether an instance can do its work (<c>/health/ready</c>); each capability adds its own.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Adds controllers with the API's JSON conventions and the OpenAPI generator.</summary>
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Kestrel answers over-long request lines itself, without the envelope: its limit sits above ours.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = 64 * 1024;
            // What Kestrel refuses before the app sees it (a NUL in the path, a header that is not ASCII) gets the envelope too.
            kestrel.ConfigureEndpointDefaults(endpoint => endpoint.UseKestrelRejectionEnvelope());
        });
        services.AddControllers(mvc => mvc.Filters.Add<NullElementsFilter>())
            .AddJsonOptions(json => json.JsonSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)
            .ConfigureApiBehaviorOptions(api =>
            {
                api.InvalidModelStateResponseFactory = InvalidModelStateResponse.Create;
                // 404, 405, 415... answer in the error envelope (below), not as ProblemDetails.
                api.SuppressMapClientErrors = true;
            });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddProblemDetails();
        services.AddHealthChecks()
            .AddCheck<MetadataDatabaseHealthCheck>("metadataDatabase", tags: [ReadyTag]);
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc(OpenApiDocumentName, new OpenApiInfo
            {
                Title = "Lightdash.Net API",
                Version = "v1",
                Description = "Run warehouse queries in the background, poll their status and read their results page by page.",
            });
            swagger.IncludeXmlComments(Path.Combine(AppContext.BaseDirectory, "Lightdash.Net.Backend.xml"), includeControllerXmlComments: true);
            swagger.AddSecurityDefinition(ApiAuthentication.SchemeName, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "Authorization",
                Description = "A personal access token, as \"ApiKey ldpat_…\" (or \"Bearer ldpat_…\"). Paste the whole value, scheme included.",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(ApiAuthentication.SchemeName, document)] = [],
            });
            swagger.SupportNonNullableReferenceTypes();
            swagger.CustomOperationIds(OperationIds.Of);

            // Settings carried through from model files are free-form JSON, not the JsonNode class.
            swagger.MapType<System.Text.Json.Nodes.JsonNode>(() => new OpenApiSchema { Description = "Any JSON value, as written in the model file." });
            swagger.OperationFilter<CommonResponsesOperationFilter>();
        });
        return builder;
    }

    /// <summary>
    /// The first steps of every request: the error handler, the envelope for answers without a body,
    /// and the request guards. Authentication comes after these (so that its refusals get the
    /// envelope), then <see cref="MapApi"/>.
    /// </summary>
    public static WebApplication UseApiErrors(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(async context =>
        {
            // Every error answer without a body of its own (unmatched routes, 405, 415...) gets the envelope.
            var response = context.HttpContext.Response;
            if (response.StatusCode >= 400 && !response.HasStarted && response.ContentLength is null or 0)
            {
                await ApiErrorWriter.WriteAsync(context.HttpContext, response.StatusCode, ApiErrorWriter.DefaultMessage(context.HttpContext));
            }
        });
        app.UseMiddleware<RequestGuardMiddleware>();
        return app;
    }

    /// <summary>Maps the health checks, and the routes and Swagger UI on an instance with the <c>api</c> role.</summary>
    public static WebApplication MapApi(this WebApplication app)
    {
        var serveApi = app.Services.GetRequiredService<InstanceRoles>().ServesApi;
        if (serveApi)
        {
            app.UseSwagger();
            app.UseSwaggerUI(ui =>
            {
                ui.SwaggerEndpoint($"/swagger/{OpenApiDocumentName}/swagger.json", "Lightdash.Net API v1");
                ui.RoutePrefix = "swagger";
            });
        }

        // Live: the process serves requests (restart it if not). Ready: it can do its work (route traffic to it).
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponseWriter.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = HealthResponseWriter.WriteAsync });
        if (serveApi)
        {
            app.MapControllers();
        }

        return app;
    }
}
