namespace Stratus.Reliability.Recording;

/// <summary>
/// Which instance recorded a partial window or logged a prediction: the Functions host's instance id in Azure,
/// else machine and process (two runners on one machine stay apart).
/// </summary>
public sealed class InstanceIdentity
{
    public InstanceIdentity()
        : this(Environment.GetEnvironmentVariable("WEBSITE_INSTANCE_ID") is { Length: > 0 } azure
            ? azure[..Math.Min(azure.Length, 16)]
            : $"{Environment.MachineName}-{Environment.ProcessId}")
    {
    }

    public InstanceIdentity(string id) => Id = id;

    public string Id { get; }
}
