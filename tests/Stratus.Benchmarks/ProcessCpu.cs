using System.Globalization;

namespace Stratus.Benchmarks;

/// <summary>
/// CPU time (user + system) a process has used, from /proc/{pid}/stat. Per request it is a steadier measure of cost
/// than throughput on a shared machine, where the load generator and other tenants take cores at random.
/// </summary>
public static class ProcessCpu
{
    /// <summary>Ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public static double Seconds(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return 0;
        }

        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14th and 15th.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }
}
