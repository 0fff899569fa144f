namespace Lightdash.Net.Backend.Access;

/// <summary>The one place where <see cref="ProjectRole"/> meets its stored and wire names.</summary>
public static class ProjectRoleNames
{
    /// <summary>The lower-case name (<c>viewer</c>, <c>developer</c>, <c>admin</c>).</summary>
    public static string ToName(this ProjectRole role) => role.ToString().ToLowerInvariant();

    /// <summary>Parses a name; false for anything else.</summary>
    public static bool TryParse(string? name, out ProjectRole role)
    {
        foreach (var candidate in Enum.GetValues<ProjectRole>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.Ordinal))
            {
                role = candidate;
                return true;
            }
        }

        role = default;
        return false;
    }
}
