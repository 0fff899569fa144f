using Lightdash.Net.Backend.Contracts;
using Microsoft.AspNetCore.Mvc;

namespace Lightdash.Net.Backend.Errors;

/// <summary>Turns model-binding failures (malformed JSON, a path id that is not a uuid) into the error envelope.</summary>
public static class InvalidModelStateResponse
{
    /// <summary>A 400 naming each field that failed and why.</summary>
    public static IActionResult Create(ActionContext context)
    {
        var problems = context.ModelState
            .Where(entry => entry.Value is { Errors.Count: > 0 })
            .ToDictionary(
                entry => string.IsNullOrEmpty(entry.Key) ? "body" : entry.Key,
                entry => entry.Value!.Errors.Select(e => string.IsNullOrEmpty(e.ErrorMessage) ? "is invalid" : e.ErrorMessage).ToArray());
        var message = string.Join(
            "; ",
            problems.Select(p => $"{p.Key}: {string.Join(" ", p.Value)}"));
        return new BadRequestObjectResult(new ApiErrorResponse
        {
            Error = new ApiError
            {
                Name = "ParameterError",
                StatusCode = StatusCodes.Status400BadRequest,
                Message = $"Invalid request. {message}",
                Data = problems,
            },
        });
    }
}
