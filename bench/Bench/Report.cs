using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using Lightdash.Net.Bench;
using Npgsql;

/// <summary>The figures, printed as one aligned line each.</summary>
internal sealed class Report
{
    private readonly List<(string Name, string Value, string Baseline, double Ratio, string Target, bool Met)> _lines = [];

    public bool AllMet => _lines.TrueForAll(l => l.Met);

    public void Add(string name, string value, string baseline, double ratio, string target, bool met)
    {
        _lines.Add((name, value, baseline, ratio, target, met));
        Console.WriteLine($"  measured: {name}: {value} vs {baseline} = {ratio:N2}x");
    }

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine("| figure | measured | baseline (same run) | ratio | target | met |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var line in _lines)
        {
            Console.WriteLine($"| {line.Name} | {line.Value} | {line.Baseline} | {line.Ratio:N2}x | {line.Target} | {(line.Met ? "yes" : "NO")} |");
        }
    }
}
