namespace Lightdash.Net.Semantic;

/// <summary>A condition on the caller's user attributes (Lightdash's <c>required_attributes</c> or <c>any_attributes</c>).</summary>
/// <param name="Any">True for <c>any_attributes</c> (one listed attribute matching is enough); false for <c>required_attributes</c> (every one must).</param>
/// <param name="Values">Attribute name to the values that match it.</param>
public sealed record AttributeRequirement(bool Any, IReadOnlyDictionary<string, IReadOnlyList<string>> Values)
{
    /// <summary>True when every requirement holds for the user (no user: only when there are none).</summary>
    public static bool AllowAll(IReadOnlyList<AttributeRequirement>? requirements, QueryUser? user) =>
        requirements is not { Count: > 0 } || (user is not null && requirements.All(r => r.Allows(user)));

    /// <summary>True when the requirement holds for the user.</summary>
    public bool Allows(QueryUser user)
    {
        bool Matches(KeyValuePair<string, IReadOnlyList<string>> entry) =>
            user.Attributes.TryGetValue(entry.Key, out var value) && entry.Value.Contains(value, StringComparer.Ordinal);
        return Any ? Values.Any(Matches) : Values.All(Matches);
    }
}
