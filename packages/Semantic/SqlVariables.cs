using System.Text.RegularExpressions;
using Lightdash.Net.Common;

namespace Lightdash.Net.Semantic;

/// <summary>
/// Replaces Lightdash's variables in SQL: <c>${lightdash.parameters.name}</c> (and
/// <c>${ld.parameters.name}</c>, <c>${lightdash.parameters.model.name}</c> for a model's own),
/// <c>${ld.attr.name}</c> / <c>${lightdash.attributes.name}</c>, <c>${ld.user.email}</c> and
/// <c>${ld.user.uuid}</c>. Every value becomes a string literal quoted by the dialect (several
/// values: a comma-separated list of literals, for <c>IN (...)</c>), never spliced raw.
/// </summary>
public static partial class SqlVariables
{
    /// <summary>The parameter names (<c>name</c> or <c>model.name</c>) a SQL text refers to.</summary>
    public static IEnumerable<string> ParameterReferences(string sql) =>
        Variable().Matches(sql).Where(m => m.Groups[2].Value == "parameters").Select(m => ParameterName(m)).Distinct(StringComparer.Ordinal);

    /// <summary>True when the SQL refers to the caller (their email, uuid or attributes).</summary>
    public static bool RefersToUser(string sql) => Variable().Matches(sql).Any(m => m.Groups[2].Value != "parameters");

    /// <summary>
    /// The SQL with every variable replaced. An undefined or unset parameter is a
    /// <see cref="MetricQueryException"/> (400); an attribute the caller has no value for, a
    /// <see cref="AccessDeniedException"/> (403).
    /// </summary>
    public static string Substitute(string sql, QueryVariables variables, ISqlDialect dialect) =>
        Variable().Replace(sql, match =>
        {
            var kind = match.Groups[2].Value;
            var name = kind == "parameters" ? ParameterName(match) : match.Groups[3].Value + (match.Groups[4].Success ? "." + match.Groups[4].Value : "");
            if (kind == "parameters")
            {
                return variables.Parameters.TryGetValue(name, out var values) && values.Count > 0
                    ? string.Join(", ", values.Select(dialect.QuoteString))
                    : variables.UnsetParametersAsNull ? "NULL"
                    : throw new MetricQueryException($"Parameter {name} is used by the SQL but has no value: pass it in parameters (or give it a default).");
            }

            var user = variables.User ?? throw new AccessDeniedException($"The SQL refers to {match.Value}, and no user runs this query.");
            return kind switch
            {
                "user" when name == "email" => dialect.QuoteString(user.Email),
                "user" when name == "uuid" => dialect.QuoteString(user.UserUuid.ToString()),
                "user" => throw new MetricQueryException($"{match.Value} is not a user variable (ld.user.email or ld.user.uuid)."),
                _ => user.Attributes.TryGetValue(name, out var value)
                    ? dialect.QuoteString(value)
                    : throw new AccessDeniedException($"You have no value for user attribute \"{name}\", which this query needs."),
            };
        });

    /// <summary>
    /// One pass over a model template: variables replaced as <see cref="Substitute"/> does, every other
    /// <c>${a}</c> or <c>${a.b}</c> by <paramref name="fieldReference"/>. What a replacement returns is never
    /// scanned again, so a parameter value that looks like a reference stays a string literal.
    /// </summary>
    public static string Render(string template, QueryVariables variables, ISqlDialect dialect, Func<string, string?, string> fieldReference) =>
        VariableOrReference().Replace(template, match => match.Groups["first"].Success
            ? fieldReference(match.Groups["first"].Value, match.Groups["second"].Success ? match.Groups["second"].Value : null)
            : Substitute(match.Value, variables, dialect));

    private static string ParameterName(Match match) => match.Groups[4].Success ? $"{match.Groups[3].Value}.{match.Groups[4].Value}" : match.Groups[3].Value;

    [GeneratedRegex(@"\$\{\s*(lightdash|ld)\.(parameters|attributes|attr|user)\.([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?\s*\}")]
    private static partial Regex Variable();

    [GeneratedRegex(@"\$\{\s*(?:lightdash|ld)\.(?:parameters|attributes|attr|user)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)?\s*\}|\$\{(?<first>[A-Za-z0-9_]+)(?:\.(?<second>[A-Za-z0-9_]+))?\}")]
    private static partial Regex VariableOrReference();
}
