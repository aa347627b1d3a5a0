/** The inbound pop-up's data, shared by the server route and the workstation component. */
export interface CallerCard {
	id: string;
	company: string | null;
	contactName: string | null;
	position: string | null;
	city: string | null;
	blocked: boolean;
	phones: string[];
	emails: string[];
	projects: { project: string; status: string; disposition: string | null }[];
	lastCalls: { startedAt: Date; talkSeconds: number | null; disposition: string | null; agent: string | null }[];
}

export interface CallerLookup {
	number: string;
	/** null when the number cannot be read as a phone number */
	e164: string | null;
	lead: CallerCard | null;
}
