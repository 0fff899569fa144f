using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Platform;

/// <summary>Turns model-binding failures (malformed JSON, a wrong type, a path id that is not a uuid) into the error envelope, in plain words.</summary>
public static partial class InvalidModelStateResponse
{
    /// <summary>A 400 naming each field that failed and why.</summary>
    public static IActionResult Create(ActionContext context)
    {
        var problems = context.ModelState
            .Where(entry => entry.Value is { Errors.Count: > 0 })
            .GroupBy(entry => FieldName(entry.Key))
            .ToDictionary(
                field => field.Key,
                field => field.SelectMany(entry => entry.Value!.Errors).Select(e => PlainWords(e.ErrorMessage, e.Exception)).Distinct().ToArray());
        var message = string.Join(
            "; ",
            problems.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}"));
        return new BadRequestObjectResult(ApiErrorWriter.Envelope(StatusCodes.Status400BadRequest, $"Invalid request. {message}", data: problems));
    }

    // "$.queries[0].sql" -> "queries[0].sql"; the body parameter's own name -> "body".
    private static string FieldName(string key) => key switch
    {
        "" or "request" or "$" => "body",
        _ when key.StartsWith("$.", StringComparison.Ordinal) => key[2..],
        _ => key,
    };

    private static string PlainWords(string message, Exception? exception)
    {
        var text = string.IsNullOrEmpty(message) ? exception?.Message ?? "" : message;
        if (ConvertedTo().Match(text) is { Success: true } wrongType)
        {
            return $"must be {Expected(wrongType.Groups[1].Value)}.";
        }

        if (text.Contains("field is required", StringComparison.Ordinal))
        {
            return "a JSON body is required.";
        }

        // System.Text.Json appends where it failed; the field name already says it.
        var cut = text.IndexOf(" Path: ", StringComparison.Ordinal);
        text = cut > 0 ? text[..cut] : text;
        return string.IsNullOrEmpty(text) ? "is invalid." : text;
    }

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("String", StringComparison.Ordinal) => "text",
        _ when type.Contains("Guid", StringComparison.Ordinal) => "a uuid",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ when type.Contains("DateTime", StringComparison.Ordinal) => "a date and time (ISO 8601)",
        _ when type.Contains("List", StringComparison.Ordinal) || type.Contains("[]", StringComparison.Ordinal) || type.Contains("Enumerable", StringComparison.Ordinal) => "a list",
        _ when type.Contains("Dictionary", StringComparison.Ordinal) => "an object",
        _ when type.Contains("Int", StringComparison.Ordinal) || type.Contains("Double", StringComparison.Ordinal) || type.Contains("Decimal", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) => "a whole number in range",
        _ when type.StartsWith("Lightdash.", StringComparison.Ordinal) => "an object",
        _ => "of another type",
    };

    [GeneratedRegex(@"could not be converted to (\S+?)(?:\.\s|\s|\.?$)")]
    private static partial Regex ConvertedTo();
}
