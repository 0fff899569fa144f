namespace Lightdash.Net.Common;

/// <summary>The one place where <see cref="QueryStatus"/> meets its stored and wire names.</summary>
public static class QueryStatusNames
{
    /// <summary>The lower-case name stored in the database and sent over the API.</summary>
    public static string ToName(this QueryStatus status) => status switch
    {
        QueryStatus.Pending => "pending",
        QueryStatus.Queued => "queued",
        QueryStatus.Executing => "executing",
        QueryStatus.Ready => "ready",
        QueryStatus.Error => "error",
        QueryStatus.Cancelled => "cancelled",
        QueryStatus.Expired => "expired",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown query status."),
    };

    /// <summary>Parses a stored name; throws on a name no version of the schema writes.</summary>
    public static QueryStatus Parse(string name) =>
        TryParse(name, out var status)
            ? status
            : throw new FormatException($"'{name}' is not a query status.");

    /// <summary>Parses a name such as <c>ready</c>; false for anything else.</summary>
    public static bool TryParse(string? name, out QueryStatus status)
    {
        foreach (var candidate in Enum.GetValues<QueryStatus>())
        {
            if (string.Equals(candidate.ToName(), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    /// <summary>True while the query can still change: pending, queued or executing.</summary>
    public static bool IsActive(this QueryStatus status) =>
        status is QueryStatus.Pending or QueryStatus.Queued or QueryStatus.Executing;
}
