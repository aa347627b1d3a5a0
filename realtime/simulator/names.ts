/** Names the simulator gives to generated agents and callers. */
export const FIRST_NAMES: readonly string[] = [
	'Alice',
	'Bruno',
	'Chloé',
	'David',
	'Emma',
	'Farid',
	'Gaëlle',
	'Hugo',
	'Inès',
	'Jules',
	'Karim',
	'Léa',
	'Malik',
	'Nora',
	'Oscar',
	'Paula',
	'Quentin',
	'Rose',
	'Sami',
	'Tina'
];

export const LAST_NAMES: readonly string[] = [
	'Martin',
	'Bernard',
	'Dubois',
	'Thomas',
	'Robert',
	'Petit',
	'Durand',
	'Leroy',
	'Moreau',
	'Simon',
	'Laurent',
	'Lefebvre',
	'Michel',
	'Garcia'
];
