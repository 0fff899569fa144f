using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lightdash.Net.Backend.Platform;
using Lightdash.Net.Common;
using Lightdash.Net.Warehouses;

namespace Lightdash.Net.Backend.Statements;

/// <summary>A submit of the statements API, checked: the SQL with positional placeholders, its bindings, limits and parameters.</summary>
/// <param name="Sql">The statement with <c>$N</c> placeholders.</param>
/// <param name="BindingsJson">The bindings in placeholder order (JSON), or null when there are none.</param>
/// <param name="Timeout">The statement's own time limit, or null.</param>
/// <param name="Ttl">How long the handle and results live.</param>
/// <param name="RowLimit">The most rows kept (<c>rows_per_resultset</c>), or null.</param>
/// <param name="Context">The query tag, or null.</param>
/// <param name="Hash">What was submitted, hashed (a retry with the same request id must match it).</param>
public sealed record StatementRequest(string Sql, string? BindingsJson, TimeSpan? Timeout, TimeSpan Ttl, long? RowLimit, string? Context, string Hash)
{
    private const long MaxTimeoutSeconds = 604_800;
    private const int MaxQueryTagLength = 64;
    private static readonly string[] KnownParameters = ["query_tag", "rows_per_resultset", "multi_statement_count", "timezone"];

    /// <summary>Checks a submit; a 400 names what is wrong (a missing or ill-typed binding by its number).</summary>
    public static StatementRequest Read(SubmitStatementRequest request, int maxSqlLength, int maxBindings, TimeSpan defaultTtl, TimeSpan maxTtl)
    {
        var statement = request.Statement?.Trim();
        if (string.IsNullOrEmpty(statement))
        {
            throw new ValidationException("statement is required: give the SQL to run.");
        }

        if (statement.Length > maxSqlLength)
        {
            throw new ValidationException($"statement is {statement.Length} characters long; at most {maxSqlLength} are accepted.");
        }

        if (request.Timeout is < 0 or > MaxTimeoutSeconds)
        {
            throw new ValidationException($"timeout must be between 0 and {MaxTimeoutSeconds} seconds (got {request.Timeout}).");
        }

        if (request.Ttl is { } ttlSeconds && (ttlSeconds < 1 || ttlSeconds > maxTtl.TotalSeconds))
        {
            throw new ValidationException($"ttl must be between 1 and {(long)maxTtl.TotalSeconds} seconds (got {ttlSeconds}).");
        }

        var (limit, context) = ReadParameters(request.Parameters);
        var rewritten = SqlPlaceholders.Rewrite(statement);
        var bindings = ReadBindings(request.Bindings, rewritten.Numbers, maxBindings);
        var bindingsJson = bindings.Count == 0 ? null : JsonSerializer.Serialize(bindings, JsonSerializerOptions.Web);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{statement}\n{bindingsJson}\n{limit}")));
        return new StatementRequest(
            rewritten.Sql,
            bindingsJson,
            request.Timeout is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
            request.Ttl is { } ttl ? TimeSpan.FromSeconds(ttl) : defaultTtl,
            limit,
            context,
            hash);
    }

    private static List<BindingValues.Binding> ReadBindings(Dictionary<string, StatementBinding>? given, IReadOnlyList<int> numbers, int maxBindings)
    {
        given ??= [];
        if (given.Count > maxBindings)
        {
            throw new ValidationException($"bindings has {given.Count} entries; at most {maxBindings} are accepted.");
        }

        var byNumber = new Dictionary<int, StatementBinding>();
        foreach (var (key, binding) in given)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                throw new ValidationException($"bindings key \"{Shorten(key)}\" is not a placeholder number (1, 2, ...).");
            }

            if (!numbers.Contains(number))
            {
                throw new ValidationException($"binding \"{number}\" has no placeholder in the statement (it has {numbers.Count}: write ? or :{number}).");
            }

            byNumber[number] = binding ?? throw new ValidationException($"binding \"{number}\" is null; give {{\"type\": ..., \"value\": ...}}.");
        }

        var bindings = new List<BindingValues.Binding>();
        var expected = numbers.Count == 0 ? 0 : numbers[^1];
        for (var number = 1; number <= expected; number++)
        {
            if (!byNumber.TryGetValue(number, out var binding))
            {
                throw new ValidationException($"binding \"{number}\" is missing: the statement has placeholders up to {expected}; give bindings {{\"{number}\": {{\"type\": \"TEXT\", \"value\": \"...\"}}}}.");
            }

            var type = binding.Type?.Trim().ToUpperInvariant();
            if (string.IsNullOrEmpty(type))
            {
                throw new ValidationException($"binding \"{number}\" has no type; use one of {string.Join(", ", BindingValues.Types)}.");
            }

            var stored = new BindingValues.Binding(type, binding.Value);
            try
            {
                BindingValues.Parse(stored);
            }
            catch (FormatException e)
            {
                throw new ValidationException($"binding \"{number}\": {e.Message}");
            }

            bindings.Add(stored);
        }

        return bindings;
    }

    private static (long? Limit, string? Context) ReadParameters(Dictionary<string, JsonElement>? parameters)
    {
        long? limit = null;
        string? context = null;
        foreach (var (name, value) in parameters ?? [])
        {
            switch (name.ToLowerInvariant())
            {
                case "query_tag":
                    context = value.ValueKind == JsonValueKind.String && value.GetString() is { Length: <= MaxQueryTagLength } tag
                        && tag.All(Warehouses.QueryTag.IsContextCharacter)
                        ? tag
                        : throw new ValidationException($"parameters.query_tag must be text of at most {MaxQueryTagLength} letters, digits, '.', '-' or '_'.");
                    break;
                case "rows_per_resultset":
                    limit = TryInteger(value) is { } rows and >= 0
                        ? rows == 0 ? null : rows
                        : throw new ValidationException("parameters.rows_per_resultset must be a whole number, 0 or more (0: all rows).");
                    break;
                case "multi_statement_count":
                    if (TryInteger(value) != 1)
                    {
                        throw new ValidationException("parameters.multi_statement_count must be 1: this backend runs one statement per request.");
                    }

                    break;
                case "timezone":
                    if (value.ValueKind != JsonValueKind.String || !string.Equals(value.GetString(), "UTC", StringComparison.OrdinalIgnoreCase))
                    {
                        throw new ValidationException("parameters.timezone must be UTC: statements run in UTC.");
                    }

                    break;
                default:
                    throw new ValidationException($"parameters.{Shorten(name)} is not known; accepted: {string.Join(", ", KnownParameters)}.");
            }
        }

        return (limit, context);
    }

    private static long? TryInteger(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt64(out var number) => number,
        JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
