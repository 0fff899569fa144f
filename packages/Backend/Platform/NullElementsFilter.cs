using System.Collections;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Lightdash.Net.Backend.Platform;

/// <summary>
/// Refuses a body whose lists hold <c>null</c> (<c>"queries": [null]</c>, <c>"dimensions": ["a", null]</c>)
/// with a 400 naming the element, so that no service meets a null it did not expect. Walks the bound
/// request types (the API's contracts), not free-form JSON, which the services check themselves.
/// </summary>
public sealed class NullElementsFilter : IActionFilter
{
    private const int MaxDepth = 8;

    private const string BackendNamespace = "Lightdash.Net.Backend.";

    /// <inheritdoc />
    public void OnActionExecuting(ActionExecutingContext context)
    {
        foreach (var parameter in context.ActionDescriptor.Parameters)
        {
            if (parameter.BindingInfo?.BindingSource == Microsoft.AspNetCore.Mvc.ModelBinding.BindingSource.Body
                && context.ActionArguments.TryGetValue(parameter.Name, out var value) && value is not null)
            {
                Check(value, "", 0);
            }
        }
    }

    /// <inheritdoc />
    public void OnActionExecuted(ActionExecutedContext context)
    {
    }

    private static void Check(object value, string path, int depth)
    {
        if (depth > MaxDepth || value is string or JsonElement || value.GetType().IsPrimitive || value.GetType().IsEnum)
        {
            return;
        }

        if (value is IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                var itemPath = $"{path}.{entry.Key}";
                if (entry.Value is null)
                {
                    throw new ValidationException($"{itemPath.TrimStart('.')} is null; give a value or leave the key out.");
                }

                Check(entry.Value, itemPath, depth + 1);
            }

            return;
        }

        if (value is IEnumerable items)
        {
            var index = 0;
            foreach (var item in items)
            {
                var itemPath = $"{path}[{index++}]";
                if (item is null)
                {
                    throw new ValidationException($"{itemPath.TrimStart('.')} is null; a list cannot hold null.");
                }

                Check(item, itemPath, depth + 1);
            }

            return;
        }

        // Only the backend's own request types are walked (every capability's contracts), never framework types.
        if (value.GetType().Namespace?.StartsWith(BackendNamespace, StringComparison.Ordinal) != true)
        {
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.GetValue(value) is { } child)
            {
                Check(child, $"{path}.{JsonNamingPolicy.CamelCase.ConvertName(property.Name)}", depth + 1);
            }
        }
    }
}
