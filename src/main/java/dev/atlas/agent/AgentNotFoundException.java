package dev.atlas.agent;

/** No agent with that wallet (answered as 404). */
public class AgentNotFoundException extends RuntimeException {
    public AgentNotFoundException(String wallet) {
        super("No agent with wallet " + wallet + ".");
    }
}
