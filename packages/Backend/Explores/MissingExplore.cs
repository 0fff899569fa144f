using Lightdash.Net.Semantic;

namespace Lightdash.Net.Backend.Explores;

/// <summary>Why an explore cannot be used: it has errors (listed, so that its author can fix them), or it does not exist.</summary>
public static class MissingExplore
{
    private const int MaxListed = 10;

    /// <summary>The message for a request naming <paramref name="exploreName"/>, which <paramref name="catalog"/> does not hold.</summary>
    public static string Message(ExploreCatalog catalog, string exploreName, Guid projectUuid)
    {
        var errors = catalog.Errors.Where(e => string.Equals(e.Model, exploreName, StringComparison.Ordinal)).ToList();
        return errors.Count == 0
            ? $"Explore {exploreName} does not exist in project {projectUuid}."
            : $"Explore {exploreName} has errors and cannot be queried until they are fixed: "
              + string.Join("; ", errors.Take(MaxListed).Select(e => e.ToString()))
              + (errors.Count > MaxListed ? $"; and {errors.Count - MaxListed} more" : "") + ".";
    }
}
