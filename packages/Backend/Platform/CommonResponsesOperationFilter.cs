using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Documents, on every route that needs a token, the answers every such route can give: 401 and 429 in the error envelope.</summary>
public sealed class CommonResponsesOperationFilter : IOperationFilter
{
    /// <inheritdoc />
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var needsToken = context.MethodInfo.DeclaringType?.GetCustomAttributes(typeof(AuthorizeAttribute), inherit: true).Length > 0;
        if (!needsToken)
        {
            return;
        }

        var schema = context.SchemaGenerator.GenerateSchema(typeof(ApiErrorResponse), context.SchemaRepository);
        operation.Responses ??= [];
        foreach (var (code, description) in new[] { ("401", "No valid personal access token."), ("429", "Too many requests; see Retry-After.") })
        {
            operation.Responses.TryAdd(code, new OpenApiResponse
            {
                Description = description,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schema } },
            });
        }
    }
}
