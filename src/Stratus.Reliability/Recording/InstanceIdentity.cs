namespace Stratus.Reliability.Recording;

/// <summary>
/// Which process recorded a partial window or logged a prediction: the host instance (Azure's instance id, else the
/// machine), the process, and a random part. Each process start is a new writer, so a restarted worker never replaces
/// the counts an earlier process on the same instance stored with its own, lower ones.
/// </summary>
public sealed class InstanceIdentity
{
    public InstanceIdentity()
        : this($"{Host()}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}")
    {
    }

    public InstanceIdentity(string id) => Id = id;

    public string Id { get; }

    private static string Host() =>
        Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } azure ? azure[..Math.Min(azure.Length, 12)] : Environment.MachineName;
}
