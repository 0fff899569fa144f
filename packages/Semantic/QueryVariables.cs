namespace Lightdash.Net.Semantic;

/// <summary>The caller of a query, as model SQL and access rules see them.</summary>
/// <param name="UserUuid">Their id (<c>${ld.user.uuid}</c>).</param>
/// <param name="Email">Their email (<c>${ld.user.email}</c>).</param>
/// <param name="Attributes">Their user attribute values, defaults included (<c>${ld.attr.name}</c>); an attribute without a value is absent.</param>
public sealed record QueryUser(Guid UserUuid, string Email, IReadOnlyDictionary<string, string> Attributes);

/// <summary>What model and saved SQL may refer to besides fields: the request's parameters and the caller.</summary>
/// <param name="Parameters">Checked parameter values by name (defaults applied), each one value or several.</param>
/// <param name="User">The caller; null only where no user runs the query (then any reference to the user or an attribute is refused).</param>
public sealed record QueryVariables(IReadOnlyDictionary<string, IReadOnlyList<string>> Parameters, QueryUser? User)
{
    /// <summary>
    /// For checking a query's shape without running it (saving a chart, learning a SQL chart's columns):
    /// a parameter without a value becomes NULL instead of an error.
    /// </summary>
    public bool UnsetParametersAsNull { get; init; }

    /// <summary>No parameters and no user.</summary>
    public static readonly QueryVariables None = new(new Dictionary<string, IReadOnlyList<string>>(), null);
}
