using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Stratus.LocalRunner.Hosting;

namespace Stratus.LocalRunner.Azurite;

/// <summary>
/// Installs (once, with npm) and runs Azurite on 127.0.0.1 with OS-chosen ports, so two runs never collide.
/// Used by the local runner and by test fixtures. Disposing stops it and waits for the process to exit.
/// </summary>
public sealed partial class AzuriteHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly bool _adopted;

    private AzuriteHost(Process process, int blobPort, int queuePort, int tablePort, bool adopted = false)
    {
        _adopted = adopted;
        _process = process;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }
    public int ProcessId => _process.Id;

    /// <summary>Azurite's well-known development account, on the ports this instance listens on.</summary>
    public string ConnectionString => ConnectionStringFor(BlobPort, QueuePort, TablePort);

    private static string ConnectionStringFor(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary>
    /// Starts Azurite with its data in <paramref name="dataDirectory"/>; installs <paramref name="version"/> (from
    /// <see cref="ToolVersions"/>) under <paramref name="toolsDirectory"/> first if needed.
    /// </summary>
    /// <param name="ports">Blob, queue and table ports; null: the OS chooses. Fixed ports let a test restart Azurite
    /// where its clients already point (a storage outage and its end).</param>
    public static async Task<AzuriteHost> StartAsync(string toolsDirectory, string version, string dataDirectory, ILogger logger, (int Blob, int Queue, int Table)? ports = null, CancellationToken cancellationToken = default)
    {
        var entry = await EnsureInstalledAsync(toolsDirectory, version, logger, cancellationToken);
        Directory.CreateDirectory(dataDirectory);
        var stateFile = Path.Combine(dataDirectory, StateFileName);
        if (TryAdopt(stateFile, dataDirectory, logger) is { } running)
        {
            return running;
        }

        // In its own session (setsid), so a terminal's Ctrl-C reaches only the runner, which then stops
        // Azurite after everything that still needs storage has shut down.
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (start.FileName != "node")
        {
            start.ArgumentList.Add("node");
        }

        foreach (var arg in new[]
        {
            entry, "--silent", "--skipApiVersionCheck", "--disableTelemetry", "--loose",
            "--blobHost", "127.0.0.1", "--blobPort", Port(ports?.Blob),
            "--queueHost", "127.0.0.1", "--queuePort", Port(ports?.Queue),
            "--tableHost", "127.0.0.1", "--tablePort", Port(ports?.Table),
            "--location", dataDirectory,
        })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node for Azurite.");
        int? blob = null, queue = null, table = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            output.Enqueue(line);
            var match = ListeningLine().Match(line);
            if (match.Success)
            {
                var port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
                switch (match.Groups["service"].Value)
                {
                    case "Blob": blob = port; break;
                    case "Queue": queue = port; break;
                    case "Table": table = port; break;
                }

                if (blob is not null && queue is not null && table is not null)
                {
                    ready.TrySetResult();
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("Azurite exited during start: " + string.Join(Environment.NewLine, output)));

        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            Kill(process);
            throw;
        }

        await File.WriteAllTextAsync(stateFile, System.Text.Json.JsonSerializer.Serialize(new State(process.Id, blob!.Value, queue!.Value, table!.Value)), cancellationToken);
        logger.LogInformation("Azurite listening on 127.0.0.1 (blob {Blob}, queue {Queue}, table {Table}), data in {Data}", blob, queue, table, dataDirectory);
        return new AzuriteHost(process, blob!.Value, queue!.Value, table!.Value);
    }

    /// <summary>
    /// An Azurite left running by a runner that was killed outright (it runs in its own session) still serves this
    /// data folder: reuse it rather than restart it, so nothing it holds in memory is lost.
    /// </summary>
    private static AzuriteHost? TryAdopt(string stateFile, string dataDirectory, ILogger logger)
    {
        if (Running(stateFile, dataDirectory) is not { } state)
        {
            return null;
        }

        try
        {
            logger.LogWarning("Reusing Azurite (pid {Pid}) left running by an earlier run", state.Pid);
            return new AzuriteHost(Process.GetProcessById(state.Pid), state.Blob, state.Queue, state.Table, adopted: true);
        }
        catch (ArgumentException)
        {
            return null; // exited meanwhile: start a fresh one
        }
    }

    /// <summary>
    /// The connection string of the Azurite a runner started for <paramref name="dataDirectory"/>, while it runs; null
    /// when none does. A second runner joins the first one's storage (registry, task hub) through it without owning it.
    /// </summary>
    public static string? RunningConnectionString(string dataDirectory) =>
        Running(Path.Combine(dataDirectory, StateFileName), dataDirectory) is { } state
            ? ConnectionStringFor(state.Blob, state.Queue, state.Table)
            : null;

    /// <summary>The Azurite recorded in <paramref name="stateFile"/> when it is alive, serves this data folder and accepts connections.</summary>
    private static State? Running(string stateFile, string dataDirectory)
    {
        try
        {
            if (!File.Exists(stateFile) || System.Text.Json.JsonSerializer.Deserialize<State>(File.ReadAllText(stateFile)) is not { } state)
            {
                return null;
            }

            var cmdline = File.ReadAllText($"/proc/{state.Pid}/cmdline");
            if (!cmdline.Contains("azurite", StringComparison.Ordinal) || !cmdline.Contains(dataDirectory, StringComparison.Ordinal))
            {
                return null;
            }

            using (var probe = new System.Net.Sockets.TcpClient())
            {
                probe.Connect(System.Net.IPAddress.Loopback, state.Blob);
            }

            return state;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or System.Net.Sockets.SocketException or System.Text.Json.JsonException)
        {
            return null; // not running (any more)
        }
    }

    private const string StateFileName = "azurite.json";

    private sealed record State(int Pid, int Blob, int Queue, int Table);

    /// <summary>Waits for a process that is not our child (Process.WaitForExit cannot) by watching /proc.</summary>
    private static bool WaitForPidExit(int pid, TimeSpan timeout)
    {
        // A monotonic stopwatch, not the wall clock: this bounds a wait on another process, nothing a test controls.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Directory.Exists($"/proc/{pid}"))
        {
            if (waited.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(100);
        }

        return true;
    }

    /// <summary>Installs Azurite under <paramref name="toolsDirectory"/> unless it is there; safe for concurrent callers and processes.</summary>
    private static string Port(int? port) => (port ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<string> EnsureInstalledAsync(string toolsDirectory, string version, ILogger logger, CancellationToken cancellationToken)
    {
        var prefix = Path.Combine(toolsDirectory, "azurite");
        var entry = Path.Combine(prefix, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (File.Exists(entry))
        {
            return entry;
        }

        // Parallel test fixtures (and processes) may all find it missing: one installs, the others wait.
        Directory.CreateDirectory(toolsDirectory);
        await using var installLock = await AcquireLockAsync(Path.Combine(toolsDirectory, "azurite.install.lock"), cancellationToken);
        if (File.Exists(entry))
        {
            return entry;
        }

        logger.LogInformation("Installing Azurite {Version} into {Prefix} (first run only)…", version, prefix);
        var install = new ProcessStartInfo("npm") { UseShellExecute = false };
        foreach (var arg in new[] { "install", "--prefix", prefix, $"azurite@{version}", "--no-audit", "--no-fund", "--loglevel", "error" })
        {
            install.ArgumentList.Add(arg);
        }

        using var npm = Process.Start(install) ?? throw new InvalidOperationException("Could not run npm; install Node.js 20+.");
        await npm.WaitForExitAsync(cancellationToken);
        if (npm.ExitCode != 0 || !File.Exists(entry))
        {
            throw new InvalidOperationException($"npm could not install azurite@{version} (exit {npm.ExitCode}).");
        }

        return entry;
    }

    private static async Task<FileStream> AcquireLockAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_adopted)
        {
            // Not our child: Process cannot wait for it, /proc can.
            Signal(_process.Id);
            if (!WaitForPidExit(_process.Id, TimeSpan.FromSeconds(10)))
            {
                Kill(_process);
            }

            _process.Dispose();
            return;
        }

        if (!_process.HasExited)
        {
            // SIGTERM lets Azurite flush its data files; escalate if it lingers.
            Signal(_process.Id);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill(_process);
            }
        }

        _process.Dispose();
    }

    private static void Signal(int pid)
    {
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit(2000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no kill(1): fall through to Kill()
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
    }

    [GeneratedRegex(@"Azurite (?<service>Blob|Queue|Table) service is successfully listening at http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex ListeningLine();
}
