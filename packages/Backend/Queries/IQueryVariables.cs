using System.Text.Json;
using Lightdash.Net.Backend.Access;
using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Queries;

/// <summary>
/// Resolves the variables a query's SQL may use: the project's parameters (checked against their
/// definitions) and the caller's user attributes. Queries asks; Explores, which owns parameters and
/// attributes, answers (so that the arrow between them points one way).
/// </summary>
public interface IQueryVariables
{
    /// <summary>The variables of a query the user runs in the project, with the parameters as checked (JSON, for the history row), or null when none were given.</summary>
    Task<(QueryVariables Variables, string? ParametersJson)> ResolveAsync(
        CurrentUser user, Project project, IReadOnlyDictionary<string, JsonElement>? requested, CancellationToken cancellationToken);
}
