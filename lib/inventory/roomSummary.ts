/**
 * A reservation's rooms in one line for people (a guest's confirmation e-mail, a calendar event):
 * "1 × DBL (2 adults); 1 × FAM (2 adults, 1 child)". Only rooms held: a room the channel cancelled
 * is left out. Reads the shape a reservation has in the store and in an n8n item alike.
 */
export interface RoomLike {
	status?: string | null;
	roomType?: string | null;
	units?: number | null;
	adults?: number | null;
	children?: number | null;
}

export function roomSummary(rooms: unknown): string {
	if (!Array.isArray(rooms)) return '';
	return (rooms as RoomLike[])
		.filter((room) => room && typeof room === 'object' && room.status !== 'cancelled' && room.roomType)
		.map((room) => {
			const guests = [count(room.adults, 'adult', 'adults'), count(room.children, 'child', 'children')].filter(Boolean).join(', ');
			return `${room.units ?? 1} × ${room.roomType}${guests ? ` (${guests})` : ''}`;
		})
		.join('; ');
}

function count(n: number | null | undefined, one: string, many: string): string {
	return Number.isInteger(n) && (n as number) > 0 ? `${n} ${n === 1 ? one : many}` : '';
}
